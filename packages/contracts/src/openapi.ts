import { z } from 'zod';
import { ErrorCode, errorStatus } from './errors.js';
import {
  AcceptInviteBody,
  ActivityQuery,
  AuditQuery,
  ChangePasswordBody,
  CreateTokenBody,
  CreatedToken,
  ForgotPasswordBody,
  InviteBody,
  LoginBody,
  LoginResult,
  RegisterBody,
  ResendVerificationBody,
  ResetPasswordBody,
  RevokeTokenBody,
  RotateTokenBody,
  UpdateTokenBody,
  UsageQuery,
  VerifyBody,
} from './http.js';
import { CreateInviteReply, UserProfile } from './messages/identity.js';
import { AlertRecord, AlertSettingsBody, AlertSettingsView, AlertsQuery, WebhookBody, WebhookCreated, WebhookInfo } from './messages/alerts.js';
import { ListAuditReply, RotateApiTokenReply, SessionInfo, TokenActivityReply, TokenRecord, TokenUsageReply } from './messages/token.js';

type Auth = 'none' | 'session' | 'apiToken';

/** One public HTTP route of the edge, described from the contract schemas. */
export interface PublicRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/api/v1/tokens/{id}`. */
  path: string;
  summary: string;
  auth: Auth;
  status: number;
  body?: z.ZodType;
  query?: z.ZodObject;
  response?: z.ZodType;
  errors: ErrorCode[];
  /** The catch-all business route: every method is forwarded. */
  forwarded?: boolean;
}

const message = z.object({ message: z.string() });
const bodyErrors: ErrorCode[] = ['VALIDATION_ERROR', 'INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'];
const sessionErrors: ErrorCode[] = ['UNAUTHORIZED', 'FORBIDDEN', 'SERVICE_UNAVAILABLE'];

/** Every route the edge serves. A test in the edge fails when a route is missing here. */
export const publicRoutes: PublicRoute[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness', auth: 'none', status: 200, errors: [] },
  { method: 'get', path: '/readyz', summary: 'Readiness (bus and token service)', auth: 'none', status: 200, errors: ['SERVICE_UNAVAILABLE'] },
  { method: 'get', path: '/openapi.json', summary: 'This document', auth: 'none', status: 200, errors: [] },
  { method: 'post', path: '/api/user/register', summary: 'Register; the same answer whether or not the address exists', auth: 'none', status: 202, body: RegisterBody, response: message, errors: [...bodyErrors, 'RATE_LIMITED'] },
  { method: 'post', path: '/api/user/verify', summary: 'Verify an email address with the emailed token (single use, 24 h)', auth: 'none', status: 200, body: VerifyBody, errors: [...bodyErrors, 'VERIFICATION_TOKEN_INVALID', 'VERIFICATION_TOKEN_USED', 'VERIFICATION_TOKEN_EXPIRED', 'RATE_LIMITED'] },
  { method: 'post', path: '/api/user/verify/resend', summary: 'Send a fresh verification email (throttled)', auth: 'none', status: 202, body: ResendVerificationBody, response: message, errors: [...bodyErrors, 'RATE_LIMITED'] },
  { method: 'post', path: '/api/user/login', summary: 'Log in: a session token (JWT) with its expiry', auth: 'none', status: 200, body: LoginBody, response: LoginResult, errors: [...bodyErrors, 'INVALID_CREDENTIALS', 'EMAIL_NOT_VERIFIED', 'RATE_LIMITED'] },
  { method: 'post', path: '/api/user/logout', summary: 'End this session at once', auth: 'session', status: 200, errors: sessionErrors },
  { method: 'get', path: '/api/user/me', summary: 'The user, business and role', auth: 'session', status: 200, response: UserProfile, errors: sessionErrors },
  { method: 'get', path: '/api/user/sessions', summary: "The user's sessions", auth: 'session', status: 200, response: z.array(SessionInfo), errors: sessionErrors },
  { method: 'delete', path: '/api/user/sessions/{id}', summary: 'Revoke one of the user\'s sessions', auth: 'session', status: 200, errors: [...sessionErrors, 'NOT_FOUND'] },
  { method: 'post', path: '/api/user/password/forgot', summary: 'Email a password reset link (same answer for every address)', auth: 'none', status: 202, body: ForgotPasswordBody, response: message, errors: [...bodyErrors, 'RATE_LIMITED'] },
  { method: 'post', path: '/api/user/password/reset', summary: 'Set a new password with the emailed token; ends every session', auth: 'none', status: 200, body: ResetPasswordBody, errors: [...bodyErrors, 'VERIFICATION_TOKEN_INVALID', 'VERIFICATION_TOKEN_USED', 'VERIFICATION_TOKEN_EXPIRED', 'RATE_LIMITED'] },
  { method: 'post', path: '/api/user/password/change', summary: 'Change the password; ends the other sessions', auth: 'session', status: 200, body: ChangePasswordBody, errors: [...bodyErrors, ...sessionErrors, 'RATE_LIMITED'] },
  { method: 'post', path: '/api/user/invite/accept', summary: 'Accept an invitation and create the account', auth: 'none', status: 201, body: AcceptInviteBody, errors: [...bodyErrors, 'VERIFICATION_TOKEN_INVALID', 'VERIFICATION_TOKEN_USED', 'VERIFICATION_TOKEN_EXPIRED', 'CONFLICT', 'RATE_LIMITED'] },
  { method: 'post', path: '/api/v1/members', summary: 'Invite a member by email with a role (owner/admin)', auth: 'session', status: 201, body: InviteBody, response: CreateInviteReply, errors: [...bodyErrors, ...sessionErrors, 'CONFLICT'] },
  { method: 'post', path: '/api/v1/tokens', summary: 'Generate an API token; the secret is in this response only', auth: 'session', status: 201, body: CreateTokenBody, response: CreatedToken, errors: [...bodyErrors, ...sessionErrors, 'CONFLICT'] },
  { method: 'get', path: '/api/v1/tokens', summary: "The business's API tokens (never the secret)", auth: 'session', status: 200, response: z.array(TokenRecord), errors: sessionErrors },
  { method: 'get', path: '/api/v1/tokens/{id}', summary: 'One API token', auth: 'session', status: 200, response: TokenRecord, errors: [...sessionErrors, 'NOT_FOUND'] },
  { method: 'patch', path: '/api/v1/tokens/{id}', summary: "Change a token's quota: {rateLimit: {limit, windowSeconds, mode}} or {rateLimit: null} for the plan default (owner/admin; effective at once on every edge)", auth: 'session', status: 200, body: UpdateTokenBody, response: TokenRecord, errors: [...bodyErrors, ...sessionErrors, 'NOT_FOUND'] },
  { method: 'get', path: '/api/v1/tokens/{id}/usage', summary: 'Calls per minute, hour or day by status class (2xx, 3xx, 4xx without 429, 429, 5xx)', auth: 'session', status: 200, query: UsageQuery, response: TokenUsageReply, errors: [...sessionErrors, 'NOT_FOUND', 'VALIDATION_ERROR'] },
  { method: 'delete', path: '/api/v1/tokens/{id}', summary: 'Revoke an API token, at once and everywhere (idempotent)', auth: 'session', status: 200, body: RevokeTokenBody, response: TokenRecord, errors: [...bodyErrors, ...sessionErrors, 'NOT_FOUND'] },
  { method: 'post', path: '/api/v1/tokens/{id}/rotate', summary: 'Rotate: a new token; the old one works for the grace period', auth: 'session', status: 201, body: RotateTokenBody, response: RotateApiTokenReply, errors: [...bodyErrors, ...sessionErrors, 'NOT_FOUND', 'CONFLICT'] },
  { method: 'get', path: '/api/v1/tokens/{id}/activity', summary: 'Everything a token did: calls by route, status and client IP', auth: 'session', status: 200, query: ActivityQuery, response: TokenActivityReply, errors: [...sessionErrors, 'NOT_FOUND', 'VALIDATION_ERROR'] },
  { method: 'get', path: '/api/v1/audit', summary: "The business's audit log, newest first, paginated", auth: 'session', status: 200, query: AuditQuery, response: ListAuditReply, errors: [...sessionErrors, 'VALIDATION_ERROR'] },
  { method: 'get', path: '/api/v1/alerts', summary: "The business's suspicious-activity alerts, newest first (owner/admin)", auth: 'session', status: 200, query: AlertsQuery, response: z.array(AlertRecord), errors: [...sessionErrors, 'VALIDATION_ERROR'] },
  { method: 'get', path: '/api/v1/alerts/settings', summary: 'Alert thresholds of the business (defaults until changed; owner/admin)', auth: 'session', status: 200, response: AlertSettingsView, errors: sessionErrors },
  { method: 'put', path: '/api/v1/alerts/settings', summary: 'Change alert thresholds (any subset; owner/admin)', auth: 'session', status: 200, body: AlertSettingsBody, response: AlertSettingsView, errors: [...bodyErrors, ...sessionErrors] },
  { method: 'put', path: '/api/v1/alerts/webhook', summary: 'Register (or replace) the alert webhook; the signing secret is in this response only (owner/admin)', auth: 'session', status: 201, body: WebhookBody, response: WebhookCreated, errors: [...bodyErrors, ...sessionErrors] },
  { method: 'get', path: '/api/v1/alerts/webhook', summary: 'The registered alert webhook (never the secret; owner/admin)', auth: 'session', status: 200, response: WebhookInfo, errors: [...sessionErrors, 'NOT_FOUND'] },
  { method: 'delete', path: '/api/v1/alerts/webhook', summary: 'Remove the alert webhook (owner/admin)', auth: 'session', status: 200, errors: [...sessionErrors, 'NOT_FOUND'] },
  { method: 'get', path: '/api/v1/{path}', summary: 'Business data (e.g. GET /api/v1/Orders): authenticated, rate limited, forwarded to the upstream', auth: 'apiToken', status: 200, errors: ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'RATE_LIMITED', 'UPSTREAM_ERROR', 'SERVICE_UNAVAILABLE'], forwarded: true },
];

const schema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const errorResponse = (code: ErrorCode) => ({
  description: code,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
});

/** The OpenAPI 3.1 document of the public API, generated from the contract schemas. */
export function buildOpenApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of publicRoutes) {
    const methods = route.forwarded ? (['get', 'post', 'put', 'patch', 'delete'] as const) : [route.method];
    for (const method of methods) {
      const responses: Record<string, unknown> = {
        [String(route.status)]: {
          description: route.summary,
          content: {
            'application/json': {
              schema: route.response
                ? { type: 'object', properties: { success: { const: true }, data: schema(route.response, 'output') }, required: ['success', 'data'] }
                : { type: 'object' },
            },
          },
        },
      };
      const byStatus = new Map<number, ErrorCode[]>();
      for (const code of route.errors) byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
      for (const [status, codes] of byStatus) responses[String(status)] = { ...errorResponse(codes[0] ?? 'INTERNAL_ERROR'), description: codes.join(', ') };
      const parameters: Record<string, unknown>[] = [];
      for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
        parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
      }
      if (route.query) {
        for (const [name, field] of Object.entries(route.query.shape)) {
          parameters.push({ name, in: 'query', required: false, schema: schema(field as z.ZodType, 'input') });
        }
      }
      paths[route.path] ??= {};
      paths[route.path] = {
        ...paths[route.path],
        [method]: {
          summary: route.summary,
          operationId: `${method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
          ...(route.auth === 'none' ? { security: [] } : { security: [{ [route.auth === 'session' ? 'sessionToken' : 'apiToken']: [] }] }),
          ...(parameters.length ? { parameters } : {}),
          ...(route.body && method !== 'get'
            ? { requestBody: { required: method === 'post' && route.method === 'post', content: { 'application/json': { schema: schema(route.body, 'input') } } } }
            : {}),
          responses,
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Dispatch Auth public API', version: '1.0.0', description: 'Every response is {"success":true,"data":…} or {"success":false,"error":{"code","message"}}.' },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An API token from Settings > API Access' },
        sessionToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A session token from POST /api/user/login' },
      },
      schemas: {
        ErrorEnvelope: {
          type: 'object',
          required: ['success', 'error'],
          properties: {
            success: { const: false },
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { enum: ErrorCode.options }, message: { type: 'string' }, details: { type: 'object' } },
            },
          },
        },
      },
    },
  };
}
