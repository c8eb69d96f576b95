import { h, uid, type Child } from './dom.js';

export interface Dialog {
  el: HTMLDialogElement;
  body: HTMLElement;
  close(): void;
  /** Resolves when the dialog closes (button, Escape or close()). */
  closed: Promise<void>;
}

/**
 * A modal <dialog>: the page behind is inert, Escape closes it, focus moves into it and back to
 * whatever opened it. Titled by its heading (aria-labelledby).
 */
export function openDialog(title: string, ...content: Child[]): Dialog {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid('dlg-title');
  const body = h('div', { class: 'dialog-body' }, ...content);
  const closeButton = h('button', { type: 'button', class: 'btn btn-icon dialog-close', 'aria-label': 'Close dialog' }, '×');
  const el = h('dialog', { 'aria-labelledby': titleId, class: 'dialog' }, h('div', { class: 'dialog-head' }, h('h2', { id: titleId }, title), closeButton), body);
  document.body.appendChild(el);
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  el.addEventListener('close', () => {
    el.remove();
    opener?.focus();
    resolveClosed();
  });
  closeButton.addEventListener('click', () => el.close());
  el.showModal();
  const first = body.querySelector<HTMLElement>('input, select, textarea, button');
  (first ?? closeButton).focus();
  return { el, body, close: () => el.close(), closed };
}

/** Asks a yes/no question; resolves true on confirm. */
export function confirmDialog(title: string, message: Child, confirmLabel: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const ok = h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}` }, confirmLabel);
    const dlg = openDialog(title, h('p', {}, message), h('div', { class: 'actions' }, cancel, ok));
    cancel.addEventListener('click', () => dlg.close());
    ok.addEventListener('click', () => {
      answer = true;
      dlg.close();
    });
    cancel.focus();
    void dlg.closed.then(() => resolve(answer));
  });
}
