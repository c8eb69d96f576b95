/** What a template produces. */
export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface TemplateContext {
  /** Public base URL of the portal, e.g. `https://dispatch.example.com` (no trailing slash needed). */
  publicUrl: string;
}

/**
 * `<publicUrl><path>#token=<url-encoded token>`: the token rides in the URL fragment, which a browser
 * never sends to a server (so it reaches no access log or proxy); the portal page reads it, posts it
 * and removes it from the address bar.
 */
export function tokenLink(publicUrl: string, path: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path}#token=${encodeURIComponent(token)}`;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "Tue, 04 Mar 2025 10:00:00 GMT" for an ISO string; the raw value if it is not a date. */
export function formatExpiry(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toUTCString();
}

/** Wraps paragraphs (already-escaped HTML fragments) in a minimal, mail-client-safe document. */
export function htmlDocument(title: string, paragraphs: string[]): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(title) + '</title></head>',
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;line-height:1.5;color:#1f2328;max-width:560px;margin:0 auto;padding:24px">',
    ...paragraphs.map((p) => `<p>${p}</p>`),
    '<p style="color:#656d76;font-size:12px">Dispatch</p>',
    '</body></html>',
  ].join('\n');
}

export const SIGNATURE = '— The Dispatch team';
