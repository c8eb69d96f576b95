import type { z } from 'zod';
import * as identity from './messages/identity.js';
import * as token from './messages/token.js';
import * as ratelimit from './messages/ratelimit.js';
import * as health from './messages/health.js';
import * as alerts from './messages/alerts.js';
import type { EventType } from './events.js';

export const serviceNames = ['identity', 'token', 'ratelimit', 'notification', 'edge'] as const;
export type ServiceName = (typeof serviceNames)[number];

interface RequestSpec<Req extends z.ZodType, Rep extends z.ZodType> {
  service: ServiceName;
  /** `<service>.v1.<verb>`; the namespace is prefixed at run time. */
  subject: string;
  request: Req;
  reply: Rep;
}
const spec = <Req extends z.ZodType, Rep extends z.ZodType>(
  service: ServiceName,
  verb: string,
  request: Req,
  reply: Rep,
): RequestSpec<Req, Rep> => ({ service, subject: `${service}.v1.${verb}`, request, reply });

/** Every request-reply subject, with its request and reply schemas. */
export const requests = {
  'identity.register': spec('identity', 'register', identity.RegisterRequest, identity.RegisterReply),
  'identity.verify': spec('identity', 'verify', identity.VerifyRequest, identity.VerifyReply),
  'identity.checkCredentials': spec('identity', 'credentials.check', identity.CheckCredentialsRequest, identity.CheckCredentialsReply),
  'identity.getUser': spec('identity', 'user.get', identity.GetUserRequest, identity.UserProfile),
  'identity.createInvite': spec('identity', 'invite.create', identity.CreateInviteRequest, identity.CreateInviteReply),
  'identity.acceptInvite': spec('identity', 'invite.accept', identity.AcceptInviteRequest, identity.AcceptInviteReply),
  'identity.listOwners': spec('identity', 'owners.list', identity.ListOwnersRequest, identity.ListOwnersReply),
  'identity.resendVerification': spec('identity', 'verification.resend', identity.ResendVerificationRequest, identity.AcceptedReply),
  'identity.requestPasswordReset': spec('identity', 'password.forgot', identity.RequestPasswordResetRequest, identity.AcceptedReply),
  'identity.resetPassword': spec('identity', 'password.reset', identity.ResetPasswordRequest, identity.PasswordChangedReply),
  'identity.changePassword': spec('identity', 'password.change', identity.ChangePasswordRequest, identity.PasswordChangedReply),
  'identity.ping': spec('identity', 'ping', health.PingRequest, health.PingReply),

  'token.validate': spec('token', 'validate', token.ValidateTokenRequest, token.ValidateTokenReply),
  'token.createSession': spec('token', 'session.create', token.CreateSessionRequest, token.CreateSessionReply),
  'token.revokeSession': spec('token', 'session.revoke', token.RevokeSessionRequest, token.RevokeSessionReply),
  'token.listSessions': spec('token', 'session.list', token.ListSessionsRequest, token.ListSessionsReply),
  'token.revokeUserSessions': spec('token', 'session.revokeUser', token.RevokeUserSessionsRequest, token.RevokeUserSessionsReply),
  'token.createApiToken': spec('token', 'api.create', token.CreateApiTokenRequest, token.CreateApiTokenReply),
  'token.listApiTokens': spec('token', 'api.list', token.ListApiTokensRequest, token.ListApiTokensReply),
  'token.revokeApiToken': spec('token', 'api.revoke', token.RevokeApiTokenRequest, token.RevokeApiTokenReply),
  'token.getApiToken': spec('token', 'api.get', token.GetApiTokenRequest, token.GetApiTokenReply),
  'token.rotateApiToken': spec('token', 'api.rotate', token.RotateApiTokenRequest, token.RotateApiTokenReply),
  'token.updateApiToken': spec('token', 'api.update', token.UpdateApiTokenRequest, token.UpdateApiTokenReply),
  'token.tokenUsage': spec('token', 'api.usage', token.TokenUsageRequest, token.TokenUsageReply),
  'token.tokenActivity': spec('token', 'api.activity', token.TokenActivityRequest, token.TokenActivityReply),
  'token.listAudit': spec('token', 'audit.list', token.ListAuditRequest, token.ListAuditReply),
  'token.getAlertSettings': spec('token', 'alerts.settings.get', alerts.GetAlertSettingsRequest, alerts.AlertSettingsView),
  'token.putAlertSettings': spec('token', 'alerts.settings.put', alerts.PutAlertSettingsRequest, alerts.AlertSettingsView),
  'token.listAlerts': spec('token', 'alerts.list', alerts.ListAlertsRequest, alerts.ListAlertsReply),
  'token.keys': spec('token', 'keys', token.TokenKeysRequest, token.TokenKeysReply),
  'token.ping': spec('token', 'ping', health.PingRequest, health.PingReply),

  'ratelimit.consume': spec('ratelimit', 'consume', ratelimit.ConsumeRequest, ratelimit.RateLimitDecision),
  'ratelimit.ping': spec('ratelimit', 'ping', health.PingRequest, health.PingReply),

  'notification.ping': spec('notification', 'ping', health.PingRequest, health.PingReply),
  'notification.putWebhook': spec('notification', 'webhook.put', alerts.PutWebhookRequest, alerts.WebhookCreated),
  'notification.getWebhook': spec('notification', 'webhook.get', alerts.WebhookRequest, alerts.GetWebhookReply),
  'notification.deleteWebhook': spec('notification', 'webhook.delete', alerts.WebhookRequest, alerts.DeleteWebhookReply),
  'notification.listParked': spec('notification', 'parked.list', alerts.ListParkedRequest, alerts.ListParkedReply),
} as const;

export type RequestKey = keyof typeof requests;
export type RequestOf<K extends RequestKey> = z.input<(typeof requests)[K]['request']>;
export type ParsedRequestOf<K extends RequestKey> = z.output<(typeof requests)[K]['request']>;
export type ReplyOf<K extends RequestKey> = z.output<(typeof requests)[K]['reply']>;

/** Namespaces keep several meshes (or test runs) apart on one NATS: letters, digits, `_` and `-`. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_NAMESPACE = 'dispatch';

export function assertNamespace(ns: string): string {
  if (!NAMESPACE_PATTERN.test(ns)) throw new Error(`Invalid namespace "${ns}": use 1-64 letters, digits, _ or -`);
  return ns;
}

/** Full subject of a request, e.g. `dispatch.token.v1.validate`. */
export const requestSubject = (ns: string, key: RequestKey): string => `${ns}.${requests[key].subject}`;
/** Queue group of a service: one per service, so each request reaches exactly one instance. */
export const queueGroup = (service: ServiceName): string => `${service}-svc`;
/** Subject of a domain event, e.g. `dispatch.evt.user.registered`. */
export const eventSubject = (ns: string, type: EventType): string => `${ns}.evt.${type}`;
/** Wildcard covering every event of a namespace. */
export const eventWildcard = (ns: string): string => `${ns}.evt.>`;
/** JetStream stream holding a namespace's events. */
export const eventStreamName = (ns: string): string => `DISPATCH_EVENTS_${ns.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** Request headers carried on every bus message. */
export const busHeaders = { requestId: 'x-request-id', caller: 'x-caller', deadline: 'x-deadline' } as const;
