import { clear, h } from './dom.js';
import { infoBox } from './errors.js';

export type Page = (main: HTMLElement) => void | Promise<void>;

const routes = new Map<string, Page>();
let flash: { text: string; kind: 'info' | 'success' } | null = null;
let onRender: (path: string) => void = () => undefined;

export function route(path: string, page: Page): void {
  routes.set(path, page);
}

/** A message shown at the top of the next page drawn (e.g. "your session has ended"). */
export function setFlash(text: string, kind: 'info' | 'success' = 'info'): void {
  flash = { text, kind };
}

export function setRenderHook(hook: (path: string) => void): void {
  onRender = hook;
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void render();
}

/** Draws the page for the current path; moves focus to its heading so screen readers announce it. */
export async function render(): Promise<void> {
  const main = document.getElementById('main');
  if (!main) return;
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const page = routes.get(path) ?? routes.get('*');
  clear(main);
  onRender(path);
  if (flash) {
    main.appendChild(infoBox(flash.text, flash.kind));
    flash = null;
  }
  if (page) await page(main);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    document.title = `${heading.textContent ?? ''} · Dispatch`;
  }
}

/** Same-origin links are drawn by the router instead of reloading the page. */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target.closest('a') : null;
    if (!target || target.target || target.hasAttribute('download')) return;
    const href = target.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
    event.preventDefault();
    navigate(href);
  });
  window.addEventListener('popstate', () => void render());
}

export const link = (href: string, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement => h('a', { href, ...attrs }, text);
