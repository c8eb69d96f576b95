import type { DomainEvent, EventType } from '@dispatch/contracts';
import { memberInvited } from './member-invited.js';
import { registrationDuplicate } from './registration-duplicate.js';
import type { RenderedMail, TemplateContext } from './render.js';
import { verifyEmail } from './verify-email.js';

export type { RenderedMail, TemplateContext } from './render.js';
export { tokenLink } from './render.js';
export { VERIFY_SUBJECT } from './verify-email.js';
export { DUPLICATE_SUBJECT } from './registration-duplicate.js';
export { inviteSubject } from './member-invited.js';

/** The event types that produce an email. */
export const mailedEventTypes: EventType[] = ['user.registered', 'user.registration_duplicate', 'member.invited'];

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
    default:
      return null;
  }
}
