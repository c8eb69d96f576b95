import { ApiError } from './api.js';
import { describe, retryText } from './errors.js';
import { clear, h, uid } from './dom.js';

export interface FieldSpec {
  name: string;
  label: string;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  maxlength?: number;
  options?: { value: string; label: string }[];
  value?: string;
}

/** One labelled field with a hint and an error slot wired through aria-describedby. */
export function field(spec: FieldSpec): HTMLElement {
  const id = uid(`f-${spec.name}`);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [spec.hint ? hintId : '', errorId].filter(Boolean).join(' ');
  let control: HTMLElement;
  if (spec.type === 'checkbox') {
    control = h('input', { id, name: spec.name, type: 'checkbox', 'aria-describedby': describedBy, required: spec.required });
    return h(
      'div',
      { class: 'field field-checkbox', 'data-field': spec.name },
      control,
      h('label', { for: id }, spec.label),
      spec.hint ? h('p', { class: 'hint', id: hintId }, spec.hint) : null,
      h('p', { class: 'field-error', id: errorId, hidden: true }),
    );
  }
  if (spec.options) {
    const select = h('select', { id, name: spec.name, 'aria-describedby': describedBy });
    for (const option of spec.options) select.appendChild(h('option', { value: option.value, selected: option.value === spec.value }, option.label));
    control = select;
  } else {
    control = h('input', {
      id,
      name: spec.name,
      type: spec.type ?? 'text',
      autocomplete: spec.autocomplete,
      required: spec.required,
      maxlength: spec.maxlength !== undefined ? String(spec.maxlength) : undefined,
      value: spec.value,
      'aria-describedby': describedBy,
    });
  }
  return h(
    'div',
    { class: 'field', 'data-field': spec.name },
    // The marker sits outside the label: the field's name stays "Password"; `required` tells assistive tech.
    h('div', { class: 'label-row' }, h('label', { for: id }, spec.label), spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, '(required)') : null),
    spec.hint ? h('p', { class: 'hint', id: hintId }, spec.hint) : null,
    control,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

/** The string value of a named control ('' when missing). */
export function value(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? el.value : '';
}

export function checked(form: HTMLFormElement, name: string): boolean {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement && el.checked;
}

/** A form whose fields are validated by the API (novalidate), with a status region for form-level errors. */
export function form(label: string, children: HTMLElement[], submitLabel: string): { form: HTMLFormElement; status: HTMLElement; submit: HTMLButtonElement } {
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
  const f = h('form', { novalidate: true, 'aria-label': label }, status, ...children, h('div', { class: 'actions' }, submit));
  return { form: f, status, submit };
}

export function clearErrors(f: HTMLFormElement, status: HTMLElement): void {
  clear(status);
  for (const el of Array.from(f.querySelectorAll<HTMLElement>('.field-error'))) {
    el.hidden = true;
    clear(el);
  }
  for (const el of Array.from(f.querySelectorAll('[aria-invalid]'))) el.removeAttribute('aria-invalid');
}

/**
 * Shows an API error: each `details.fields` entry next to its field (focused first), anything else
 * in the form's status region; a 429 disables the submit button until Retry-After has passed.
 */
export function showError(f: HTMLFormElement, status: HTMLElement, submit: HTMLButtonElement, err: unknown): void {
  clearErrors(f, status);
  let firstInvalid: HTMLElement | null = null;
  const unplaced: string[] = [];
  if (err instanceof ApiError && err.code === 'VALIDATION_ERROR') {
    for (const [name, message] of Object.entries(err.fields)) {
      const wrapper = f.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"]`);
      const slot = wrapper?.querySelector<HTMLElement>('.field-error');
      const control = wrapper?.querySelector<HTMLElement>('input, select, textarea');
      if (!wrapper || !slot || !control) {
        unplaced.push(`${name}: ${message}`);
        continue;
      }
      slot.textContent = `Error: ${message}`;
      slot.hidden = false;
      control.setAttribute('aria-invalid', 'true');
      firstInvalid ??= control;
    }
  }
  if (firstInvalid) {
    status.appendChild(h('p', { class: 'alert alert-error', role: 'alert' }, h('strong', {}, 'Error: '), 'Please correct the fields marked below.', unplaced.length ? ` ${unplaced.join('; ')}` : ''));
    firstInvalid.focus();
    return;
  }
  const box = h('div', { class: 'alert alert-error', role: 'alert', 'data-status': err instanceof ApiError ? String(err.status) : '0' }, h('strong', {}, err instanceof ApiError && err.status === 429 ? 'Too many attempts: ' : 'Error: '));
  if (err instanceof ApiError && err.status === 429) {
    const text = h('span', { class: 'retry' }, retryText(err.retryAfterSeconds));
    box.appendChild(text);
    countdown(submit, err.retryAfterSeconds ?? 5, text);
  } else {
    box.appendChild(document.createTextNode(describe(err)));
  }
  status.appendChild(box);
}

/** Disables the button until the wait is over, and says so. */
function countdown(button: HTMLButtonElement, seconds: number, text: HTMLElement): void {
  const until = Date.now() + seconds * 1000;
  button.disabled = true;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0 || !button.isConnected) {
      button.disabled = false;
      if (text.isConnected) text.textContent = 'You can try again now.';
      return;
    }
    setTimeout(tick, 1000);
  };
  tick();
}

/** Runs a submit handler with the button busy, routing errors to showError. */
export function onSubmit(parts: { form: HTMLFormElement; status: HTMLElement; submit: HTMLButtonElement }, handler: () => Promise<void>): void {
  parts.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (parts.submit.disabled) return;
    clearErrors(parts.form, parts.status);
    parts.submit.disabled = true;
    parts.submit.setAttribute('aria-busy', 'true');
    handler().then(
      () => {
        parts.submit.disabled = false;
        parts.submit.removeAttribute('aria-busy');
      },
      (err: unknown) => {
        parts.submit.disabled = false;
        parts.submit.removeAttribute('aria-busy');
        showError(parts.form, parts.status, parts.submit, err);
      },
    );
  });
}
