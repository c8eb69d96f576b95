import { ApiError } from './api.js';
import { h } from './dom.js';

const ROLE_HELP: Record<string, string> = {
  insufficient_role: 'Ask an owner or admin of your business for a role that includes it.',
  plan_feature_missing: "Your business's plan does not include this feature: an owner can upgrade the plan.",
  insufficient_scope: 'The token used does not have the scope this call needs.',
  wrong_token_type: 'This needs a different kind of credential (a user session, or an API token for the business API).',
};

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

/** Plain-language text for an API error (403 names the missing role or plan feature; 429 says when to retry). */
export function describe(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Try again.';
  if (err.status === 403) {
    const help = (err.reason && ROLE_HELP[err.reason]) ?? '';
    return `${sentence(err.message)} ${help}`.trim();
  }
  if (err.status === 429) return `Too many attempts. ${retryText(err.retryAfterSeconds)}`;
  if (err.status >= 500 || err.status === 0) return `${err.message} (${err.code})`;
  return err.message;
}

/** "Try again in 42 seconds (at 07:53:12)." */
export function retryText(seconds: number | null): string {
  if (seconds === null) return 'Wait a moment and try again.';
  const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString();
  return `Try again in ${humanSeconds(seconds)} (at ${at}).`;
}

export function humanSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.ceil(minutes / 60)} hours`;
}

/** An alert box for an error; a 403 gets its own look and a heading so it reads as an explanation. */
export function errorBox(err: unknown): HTMLElement {
  const forbidden = err instanceof ApiError && err.status === 403;
  const limited = err instanceof ApiError && err.status === 429;
  const title = forbidden ? 'You do not have access' : limited ? 'Slow down' : 'Error';
  return h(
    'div',
    { class: `alert alert-error${forbidden ? ' alert-forbidden' : ''}`, role: 'alert', 'data-status': err instanceof ApiError ? String(err.status) : '0' },
    h('strong', {}, `${title}: `),
    describe(err),
  );
}

export function infoBox(text: string, kind: 'info' | 'success' = 'info'): HTMLElement {
  return h('div', { class: `alert alert-${kind}`, role: 'status' }, h('strong', {}, kind === 'success' ? 'Done: ' : 'Note: '), text);
}
