import type { DomainEvent, EventType } from '@dispatch/contracts';
import { inviteExistingAccount } from './invite-existing-account.js';
import { memberInvited } from './member-invited.js';
import { passwordChanged } from './password-changed.js';
import { passwordReset } from './password-reset.js';
import { registrationDuplicate } from './registration-duplicate.js';
import type { RenderedMail, TemplateContext } from './render.js';
import { tokenCreated, tokenRevoked, tokenRotated } from './token-security.js';
import { verifyEmail } from './verify-email.js';
import { securityAlert } from './security-alert.js';

export type { RenderedMail, TemplateContext } from './render.js';
export { tokenLink } from './render.js';
export { VERIFY_SUBJECT } from './verify-email.js';
export { DUPLICATE_SUBJECT } from './registration-duplicate.js';
export { inviteSubject } from './member-invited.js';
export { inviteExistingAccountSubject } from './invite-existing-account.js';
export { TOKEN_CREATED_SUBJECT, TOKEN_REVOKED_SUBJECT, TOKEN_ROTATED_SUBJECT } from './token-security.js';
export { PASSWORD_RESET_SUBJECT } from './password-reset.js';
export { PASSWORD_CHANGED_SUBJECT } from './password-changed.js';
export { SECURITY_ALERT_SUBJECT } from './security-alert.js';

/** The event types that produce an email. */
export const mailedEventTypes: EventType[] = [
  'user.registered',
  'user.registration_duplicate',
  'member.invited',
  'member.invite_existing_account',
  'token.created',
  'token.revoked',
  'token.rotated',
  'user.verification_resent',
  'user.password_reset_requested',
  'user.password_changed',
  'alert.raised',
];

/** DomainEvent as a union discriminated by `type`, so a switch narrows `data`. */
type AnyEvent = { [T in EventType]: DomainEvent<T> }[EventType];

/** The email for an event, or null when the event sends none (e.g. `user.verified`). */
export function renderEventMail(event: DomainEvent, ctx: TemplateContext): RenderedMail | null {
  const e = event as AnyEvent;
  switch (e.type) {
    case 'user.registered':
      return verifyEmail(e.data, ctx);
    case 'user.registration_duplicate':
      return registrationDuplicate(e.data, ctx);
    case 'member.invited':
      return memberInvited(e.data, ctx);
    case 'member.invite_existing_account':
      return inviteExistingAccount(e.data, ctx);
    case 'token.created':
      return tokenCreated(e.data, ctx);
    case 'token.revoked':
      return tokenRevoked(e.data, ctx);
    case 'token.rotated':
      return tokenRotated(e.data, ctx);
    case 'user.verification_resent':
      return verifyEmail(e.data, ctx);
    case 'user.password_reset_requested':
      return passwordReset(e.data, ctx);
    case 'user.password_changed':
      return passwordChanged(e.data, ctx);
    case 'alert.raised':
      return securityAlert(e.data, ctx);
    default:
      return null;
  }
}
