import { ApiError, call, type CreatedToken, type RotatedToken, type TokenActivity, type TokenRecord } from '../api.js';
import { hourlyBars, usageChart, usageTable } from '../chart.js';
import { confirmDialog, openDialog } from '../dialog.js';
import { clear, h, timeEl } from '../dom.js';
import { errorBox, infoBox } from '../errors.js';
import { field, form, onSubmit, value } from '../forms.js';
import { getSession } from '../session.js';
import { tokenReveal } from '../token-reveal.js';

const STATUS_TEXT: Record<TokenRecord['status'], string> = { active: 'Active', revoked: 'Revoked', expired: 'Expired' };
const EXPIRY_OPTIONS = [
  { value: '', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
];
const GRACE_OPTIONS = [
  { value: '86400', label: '24 hours (default)' },
  { value: '3600', label: '1 hour' },
  { value: '604800', label: '7 days' },
  { value: '0', label: 'None: the old token stops at once' },
];

/** Settings → API Access: the business's tokens, generate / revoke / rotate, and each token's usage. */
export async function apiAccessPage(main: HTMLElement): Promise<void> {
  const generate = h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'generate' }, 'Generate New Token');
  const notices = h('div', { class: 'notices', 'aria-live': 'polite' });
  const tableHolder = h('div', { class: 'table-holder' }, h('p', { role: 'status' }, 'Loading tokens…'));
  main.append(
    h('h1', {}, 'API Access'),
    h('p', {}, 'API tokens let your servers call the Dispatch business API. Each token is shown once, when you generate it.'),
    h('div', { class: 'toolbar' }, generate),
    notices,
    tableHolder,
  );

  let tokens: TokenRecord[] = [];
  const canSeeUsage = ['owner', 'admin'].includes(getSession()?.user.role ?? '');

  const draw = () => {
    clear(tableHolder);
    if (tokens.length === 0) {
      tableHolder.append(h('p', {}, 'No API tokens yet. Generate one to start calling the API.'));
      return;
    }
    const sorted = [...tokens].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    tableHolder.append(
      h(
        'table',
        { class: 'table', 'data-testid': 'tokens' },
        h('caption', {}, 'API tokens of your business'),
        h(
          'thead',
          {},
          h('tr', {}, ...['Description', 'Created', 'Last used', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t))),
        ),
        h('tbody', {}, ...sorted.map(row)),
      ),
    );
  };

  const row = (t: TokenRecord): HTMLElement => {
    const actions = h('div', { class: 'row-actions' });
    if (t.status === 'active') {
      const revoke = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Revoke ${t.description}` }, 'Revoke');
      revoke.addEventListener('click', () => void revokeToken(t));
      actions.append(revoke);
      if (!t.rotatedTo) {
        const rotate = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Rotate ${t.description}` }, 'Rotate');
        rotate.addEventListener('click', () => void rotateToken(t));
        actions.append(rotate);
      }
    }
    if (canSeeUsage) {
      const usage = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Usage of ${t.description}` }, 'Usage');
      usage.addEventListener('click', () => showUsage(t));
      actions.append(usage);
    }
    const statusNote = t.status === 'active' && t.graceEndsAt ? ` (rotated; works until ${new Date(t.graceEndsAt).toLocaleString()})` : t.revocationReason ? ` (${t.revocationReason})` : '';
    return h(
      'tr',
      { 'data-token-id': t.id, 'data-status': t.status },
      h('th', { scope: 'row' }, t.description, t.expiresAt && t.status === 'active' ? h('span', { class: 'hint block' }, 'Expires ', timeEl(t.expiresAt)) : null),
      h('td', {}, timeEl(t.createdAt)),
      h('td', {}, timeEl(t.lastUsedAt, 'Never')),
      h('td', {}, h('span', { class: `badge badge-${t.status}` }, STATUS_TEXT[t.status]), statusNote),
      h('td', {}, actions),
    );
  };

  const upsert = (record: TokenRecord) => {
    tokens = [...tokens.filter((t) => t.id !== record.id), record];
    draw();
  };

  const load = async () => {
    try {
      tokens = await call<TokenRecord[]>('GET', '/api/v1/tokens');
      draw();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      clear(tableHolder);
      tableHolder.append(errorBox(err));
      if (err instanceof ApiError && err.status === 403) generate.disabled = true;
    }
  };

  const generateToken = () => {
    const parts = form(
      'Generate a new API token',
      [
        field({ name: 'description', label: 'Description', required: true, maxlength: 100, hint: 'What uses this token, e.g. "Orders sync". 1 to 100 characters.' }),
        field({ name: 'expiresAt', label: 'Expires', options: EXPIRY_OPTIONS, value: '' }),
      ],
      'Generate token',
    );
    const dlg = openDialog('Generate New Token', parts.form);
    onSubmit(parts, async () => {
      const days = value(parts.form, 'expiresAt');
      const body: Record<string, unknown> = { description: value(parts.form, 'description') };
      if (days) body['expiresAt'] = new Date(Date.now() + Number(days) * 86400_000).toISOString();
      const created = await call<CreatedToken>('POST', '/api/v1/tokens', body);
      upsert(created.tokenInfo);
      showOnce(dlg.body, created.token, created.tokenInfo.description, dlg.close);
    });
  };

  const revokeToken = async (t: TokenRecord) => {
    const yes = await confirmDialog(
      `Revoke "${t.description}"?`,
      'Every call made with this token gets 401 Unauthorized from now on, on every server. This cannot be undone.',
      'Revoke token',
      true,
    );
    if (!yes) return;
    try {
      const revoked = await call<TokenRecord>('DELETE', `/api/v1/tokens/${encodeURIComponent(t.id)}`);
      upsert(revoked);
      notices.replaceChildren(infoBox(`"${t.description}" is revoked.`, 'success'));
    } catch (err) {
      notices.replaceChildren(errorBox(err));
    }
  };

  const rotateToken = (t: TokenRecord) => {
    const parts = form(
      'Rotate the token',
      [field({ name: 'gracePeriodSeconds', label: 'Keep the old token working for', options: GRACE_OPTIONS, value: '86400', hint: 'Time to deploy the new token before the old one stops.' })],
      'Rotate token',
    );
    const dlg = openDialog(`Rotate "${t.description}"`, h('p', {}, 'A new token with the same description and scopes replaces this one.'), parts.form);
    onSubmit(parts, async () => {
      const rotated = await call<RotatedToken>('POST', `/api/v1/tokens/${encodeURIComponent(t.id)}/rotate`, { gracePeriodSeconds: Number(value(parts.form, 'gracePeriodSeconds')) });
      upsert(rotated.previous);
      upsert(rotated.tokenInfo);
      showOnce(dlg.body, rotated.token, rotated.tokenInfo.description, dlg.close);
    });
  };

  const showUsage = (t: TokenRecord) => {
    const holder = h('div', {}, h('p', { role: 'status' }, 'Loading usage…'));
    const refresh = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh');
    openDialog(`Usage of "${t.description}"`, holder, h('div', { class: 'actions' }, refresh));
    refresh.addEventListener('click', () => void loadUsage(t, holder));
    void loadUsage(t, holder);
  };

  const loadUsage = async (t: TokenRecord, holder: HTMLElement) => {
    try {
      const activity = await call<TokenActivity>('GET', `/api/v1/tokens/${encodeURIComponent(t.id)}/activity`);
      const bars = hourlyBars(activity.buckets, new Date(activity.to));
      holder.replaceChildren(
        h('p', {}, `${activity.totalCalls} call${activity.totalCalls === 1 ? '' : 's'} in the last 24 hours.`),
        usageChart(bars, `Calls per hour of ${t.description} over the last 24 hours: ${activity.totalCalls} in total`),
        usageTable(activity.buckets),
        h('p', { class: 'hint' }, 'Usage is collected every few seconds, so the latest calls can take a moment to appear.'),
      );
    } catch (err) {
      holder.replaceChildren(errorBox(err));
    }
  };

  generate.addEventListener('click', generateToken);
  await load();
}

/** Replaces a dialog's form with the token, shown once, and a Done button. */
function showOnce(body: HTMLElement, token: string, description: string, close: () => void): void {
  const done = h('button', { type: 'button', class: 'btn' }, "I've copied it");
  done.addEventListener('click', close);
  body.replaceChildren(tokenReveal(token, description), h('div', { class: 'actions' }, done));
  body.querySelector<HTMLButtonElement>('[data-action="copy"]')?.focus();
}
