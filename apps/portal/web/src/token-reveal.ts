import { h, uid } from './dom.js';

/**
 * The new token, shown once: a read-only field, a Copy button and a warning that it will not be
 * shown again (only its hash is kept). Nothing keeps the value after the dialog closes.
 */
export function tokenReveal(token: string, description: string): HTMLElement {
  const id = uid('new-token');
  const warnId = `${id}-warning`;
  const input = h('input', { id, type: 'text', readonly: true, class: 'token-value mono', value: token, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': warnId });
  const copied = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const copy = h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'copy' }, 'Copy token');
  copy.addEventListener('click', () => {
    void copyText(input).then((ok) => {
      copied.textContent = ok ? 'Copied to the clipboard.' : 'Copy failed: select the text and copy it yourself.';
    });
  });
  input.addEventListener('focus', () => input.select());
  return h(
    'div',
    { class: 'token-reveal' },
    h(
      'div',
      { class: 'alert alert-warning', id: warnId, role: 'alert' },
      h('strong', {}, 'Copy this token now. '),
      "You won't see it again: Dispatch keeps only a hash of it. If you lose it, revoke it and generate a new one.",
    ),
    h('label', { for: id }, `API token for "${description}"`),
    h('div', { class: 'token-row' }, input, copy),
    copied,
    h('p', { class: 'hint' }, 'Use it as: ', h('code', {}, 'Authorization: Bearer <token>')),
  );
}

async function copyText(input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}
