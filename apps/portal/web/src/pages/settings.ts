import { ApiError, call, type AuditRecord, type Profile, type TokenRecord } from '../api.js';
import { h, timeEl } from '../dom.js';
import { errorBox, infoBox } from '../errors.js';
import { field, form, onSubmit, value } from '../forms.js';
import { getSession } from '../session.js';

const ACTION_TEXT: Record<string, string> = {
  'token.created': 'Token generated',
  'token.revoked': 'Token revoked',
  'token.rotated': 'Token rotated',
  'token.expired': 'Token expired',
  'token.used_after_revocation': 'Use of a revoked token refused',
  'token.used_after_expiry': 'Use of an expired token refused',
};

/** Settings → Audit log: newest first, 50 at a time. */
export async function auditPage(main: HTMLElement): Promise<void> {
  main.append(h('h1', {}, 'Audit log'), h('p', {}, 'Every token generated, revoked, rotated or expired, and every refused use of a revoked or expired token.'));
  const holder = h('div', {}, h('p', { role: 'status' }, 'Loading…'));
  main.append(holder);
  const names = new Map<string, string>();
  const me = getSession()?.user.id;
  try {
    for (const t of await call<TokenRecord[]>('GET', '/api/v1/tokens')) names.set(t.id, t.description);
  } catch {
    // Names are a convenience; the audit call below reports any real problem.
  }
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'btn' }, 'Load more');
  let cursor: string | null = null;
  const load = async () => {
    more.disabled = true;
    const query = new URLSearchParams({ limit: '50' });
    if (cursor) query.set('cursor', cursor);
    const page = await call<{ records: AuditRecord[]; nextCursor: string | null }>('GET', `/api/v1/audit?${query.toString()}`);
    for (const r of page.records) {
      const actor = r.actor.type === 'user' ? (r.actor.id === me ? 'You' : `User ${r.actor.id ?? ''}`) : r.actor.type === 'token' ? 'The token itself' : 'System';
      tbody.append(
        h(
          'tr',
          {},
          h('td', {}, timeEl(r.at)),
          h('td', {}, ACTION_TEXT[r.action] ?? r.action, r.count > 1 ? ` (×${r.count})` : ''),
          h('td', {}, names.get(r.tokenId) ?? '', h('span', { class: 'mono block hint' }, r.tokenId)),
          h('td', { class: 'mono' }, actor),
          h('td', { class: 'mono' }, r.clientIp ?? '—'),
          h('td', { class: 'mono' }, r.route ?? '—'),
        ),
      );
    }
    cursor = page.nextCursor;
    more.hidden = cursor === null;
    more.disabled = false;
    return page.records.length;
  };
  try {
    const first = await load();
    holder.replaceChildren(
      first === 0
        ? h('p', {}, 'Nothing recorded yet.')
        : h(
            'table',
            { class: 'table' },
            h('caption', {}, 'Audit records, newest first'),
            h('thead', {}, h('tr', {}, ...['When', 'What', 'Token', 'Who', 'Client IP', 'Route'].map((t) => h('th', { scope: 'col' }, t)))),
            tbody,
          ),
      more,
    );
    more.addEventListener('click', () => {
      load().catch((err: unknown) => more.replaceWith(errorBox(err)));
    });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    holder.replaceChildren(errorBox(err));
  }
}

/** Settings → Members: who you are in the business, and inviting members (owners and admins). */
export async function membersPage(main: HTMLElement): Promise<void> {
  const who = h('div', {}, h('p', { role: 'status' }, 'Loading…'));
  main.append(h('h1', {}, 'Members and roles'), who);
  main.append(
    h(
      'dl',
      { class: 'roles' },
      h('dt', {}, 'Owner, admin'),
      h('dd', {}, 'Manage API tokens (all scopes), read the audit log and token usage, invite members.'),
      h('dt', {}, 'Developer'),
      h('dd', {}, 'Manage API tokens with the Orders and Echo scopes.'),
      h('dt', {}, 'Viewer'),
      h('dd', {}, 'Sign in; cannot manage API tokens.'),
    ),
    h('h2', {}, 'Invite a member'),
  );
  const parts = form(
    'Invite a member',
    [
      field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'off', required: true }),
      field({
        name: 'role',
        label: 'Role',
        options: [
          { value: 'developer', label: 'Developer' },
          { value: 'admin', label: 'Admin' },
          { value: 'viewer', label: 'Viewer' },
        ],
        value: 'developer',
      }),
    ],
    'Send invitation',
  );
  onSubmit(parts, async () => {
    const email = value(parts.form, 'email');
    await call('POST', '/api/v1/members', { email, role: value(parts.form, 'role') });
    parts.status.replaceChildren(infoBox(`Invitation sent to ${email.trim()}. The link works for 7 days.`, 'success'));
    parts.form.reset();
  });
  main.append(parts.form);
  try {
    const me = await call<Profile>('GET', '/api/user/me');
    who.replaceChildren(h('p', {}, 'You are ', h('strong', {}, me.role), ' of ', h('strong', {}, me.business.name), ` (signed in as ${me.user.email}).`));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    who.replaceChildren(errorBox(err));
  }
}
