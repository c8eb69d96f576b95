import { describe, expect, it } from 'vitest';
import type { SmtpSink } from '@dispatch/testkit';
import { inviteMember, signUp, type SignedUp } from './accounts-fixture.js';
import type { Api, ApiResponse } from './http-client.js';

/*
 * Plans, per-token quotas, shadow mode and usage, as an integrator sees them. Run against the
 * mesh (2 edges, 2 token-service instances, Redis, FerretDB) and the embedded mode (1 edge):
 * "the other edge" is then the same one. Every business is on the default plan `free`
 * (1000 requests / hour per token). Windows are one hour, so no test straddles a window unless it
 * starts within a minute of the hour (then it waits for the next one).
 */

export interface QuotaTarget {
  edges: Api[];
  smtp: SmtpSink;
  /** The edges' Prometheus text (mesh only). */
  metrics?: () => Promise<string[]>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Not within a minute of the end of an hour window (epoch-aligned): wait for the next one. */
/** Waits until at least `marginMs` of the current `windowSeconds` window are left. */
async function awayFromBoundary(windowSeconds: number, marginMs: number): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const msLeft = windowMs - (Date.now() % windowMs);
  if (msLeft < marginMs) await sleep(msLeft + 500);
}

async function awayFromHourBoundary(): Promise<void> {
  const msLeft = 3_600_000 - (Date.now() % 3_600_000);
  if (msLeft < 60_000) await sleep(msLeft + 1_000);
}

function expectError(res: ApiResponse, status: number, code: string, reason?: string): void {
  expect({ status: res.status, success: res.body?.success, code: res.body?.error?.code }, res.text).toEqual({ status, success: false, code });
  expect(typeof res.body.error.message).toBe('string');
  if (reason) expect(res.body.error.details?.reason, res.text).toBe(reason);
}

const header = (res: ApiResponse, name: string): string | null => res.headers.get(name);
const limits = (res: ApiResponse) => ({
  status: res.status,
  limit: header(res, 'x-ratelimit-limit'),
  remaining: header(res, 'x-ratelimit-remaining'),
  mode: header(res, 'x-ratelimit-mode'),
});

/** Sum of one metric series over every edge. */
function metricSum(texts: string[], name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      const labelText = line.slice(name.length + 1, line.indexOf('}'));
      if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

export function describeQuotas(name: string, target: () => QuotaTarget): void {
  describe(`${name}: plans, per-token quotas, shadow mode and usage`, () => {
    const edge = (i: number): Api => {
      const { edges } = target();
      const api = edges[i % edges.length];
      if (!api) throw new Error('no edge');
      return api;
    };
    let ownerPromise: Promise<SignedUp> | undefined;
    const owner = () => (ownerPromise ??= signUp(edge(0), target().smtp));

    async function create(session: string, body: Record<string, unknown> = {}): Promise<{ token: string; id: string; info: Record<string, unknown> }> {
      const res = await edge(0).post('/api/v1/tokens', { description: 'quota test', ...body }, { token: session });
      expect(res.status, res.text).toBe(201);
      return { token: String(res.body.data.token), id: String(res.body.data.tokenInfo.id), info: res.body.data.tokenInfo };
    }

    const patch = (id: string, body: unknown, session: string, api = edge(1)) => api.call('PATCH', `/api/v1/tokens/${id}`, body, { token: session });

    const member = (o: SignedUp, role: 'admin' | 'developer' | 'viewer'): Promise<string> => inviteMember(edge(0), edge(1), target().smtp, o.session, role);

    it('a token gets its plan default; two tokens of one business with their own overrides get their own Limit and are limited independently', async () => {
      const o = await owner();
      await awayFromHourBoundary();
      const plain = await create(o.session);
      expect(plain.info['rateLimit']).toEqual({ limit: 1000, windowSeconds: 3600, mode: 'enforce', source: 'plan', plan: 'free' });
      const three = await create(o.session, { rateLimit: { limit: 3, windowSeconds: 3600 } });
      const five = await create(o.session, { rateLimit: { limit: 5, windowSeconds: 3600, mode: 'enforce' } });
      expect(three.info['rateLimit']).toEqual({ limit: 3, windowSeconds: 3600, mode: 'enforce', source: 'token', plan: 'free' });

      const seen: { three: ReturnType<typeof limits>[]; five: ReturnType<typeof limits>[] } = { three: [], five: [] };
      // Interleaved over both edges: 4 calls of the first, 6 of the second.
      for (let i = 0; i < 6; i++) {
        if (i < 4) seen.three.push(limits(await edge(i).get('/api/v1/Orders', { token: three.token })));
        seen.five.push(limits(await edge(i + 1).get('/api/v1/Orders', { token: five.token })));
      }
      expect(seen.three).toEqual([
        { status: 200, limit: '3', remaining: '2', mode: 'enforce' },
        { status: 200, limit: '3', remaining: '1', mode: 'enforce' },
        { status: 200, limit: '3', remaining: '0', mode: 'enforce' },
        { status: 429, limit: '3', remaining: '0', mode: 'enforce' },
      ]);
      expect(seen.five.map((l) => [l.status, l.limit, l.remaining])).toEqual([
        [200, '5', '4'],
        [200, '5', '3'],
        [200, '5', '2'],
        [200, '5', '1'],
        [200, '5', '0'],
        [429, '5', '0'],
      ]);
      const p = limits(await edge(1).get('/api/v1/Orders', { token: plain.token }));
      expect(p).toEqual({ status: 200, limit: '1000', remaining: '999', mode: 'enforce' });
    });

    it('a quota change (PATCH) takes effect at once on every edge; null goes back to the plan default', async () => {
      const o = await owner();
      await awayFromHourBoundary();
      const t = await create(o.session);
      // Both edges (and both token-service instances) have validated, and cached, the token.
      expect(limits(await edge(0).get('/api/v1/Orders', { token: t.token }))).toMatchObject({ status: 200, limit: '1000', remaining: '999' });
      expect(limits(await edge(1).get('/api/v1/Orders', { token: t.token }))).toMatchObject({ status: 200, limit: '1000', remaining: '998' });
      expect(limits(await edge(0).get('/api/v1/Orders', { token: t.token }))).toMatchObject({ status: 200, limit: '1000', remaining: '997' });

      const changed = await patch(t.id, { rateLimit: { limit: 4, windowSeconds: 3600 } }, o.session);
      expect(changed.status, changed.text).toBe(200);
      expect(changed.body.data).toMatchObject({ id: t.id, rateLimit: { limit: 4, windowSeconds: 3600, mode: 'enforce', source: 'token', plan: 'free' } });
      // The window's count so far (3) carries over: one call left, on whichever edge.
      expect(limits(await edge(1).get('/api/v1/Orders', { token: t.token }))).toEqual({ status: 200, limit: '4', remaining: '0', mode: 'enforce' });
      expect(limits(await edge(0).get('/api/v1/Orders', { token: t.token }))).toEqual({ status: 429, limit: '4', remaining: '0', mode: 'enforce' });
      expect(limits(await edge(1).get('/api/v1/Orders', { token: t.token }))).toEqual({ status: 429, limit: '4', remaining: '0', mode: 'enforce' });

      const reset = await patch(t.id, { rateLimit: null }, o.session, edge(0));
      expect(reset.status, reset.text).toBe(200);
      expect(reset.body.data.rateLimit).toEqual({ limit: 1000, windowSeconds: 3600, mode: 'enforce', source: 'plan', plan: 'free' });
      expect(limits(await edge(0).get('/api/v1/Orders', { token: t.token }))).toEqual({ status: 200, limit: '1000', remaining: '995', mode: 'enforce' });
      expect(limits(await edge(1).get('/api/v1/Orders', { token: t.token }))).toEqual({ status: 200, limit: '1000', remaining: '994', mode: 'enforce' });
      const got = await edge(1).get(`/api/v1/tokens/${t.id}`, { token: o.session });
      expect(got.body.data.rateLimit.source).toBe('plan');
    });

    const badQuotas: [string, unknown, string][] = [
      ['limit 0', { limit: 0, windowSeconds: 60 }, 'rateLimit.limit'],
      ['a negative limit', { limit: -5, windowSeconds: 60 }, 'rateLimit.limit'],
      ['a non-integer limit', { limit: 1.5, windowSeconds: 60 }, 'rateLimit.limit'],
      ['a string limit', { limit: '10', windowSeconds: 60 }, 'rateLimit.limit'],
      ['window 0', { limit: 10, windowSeconds: 0 }, 'rateLimit.windowSeconds'],
      ['a window over one day', { limit: 10, windowSeconds: 86_401 }, 'rateLimit.windowSeconds'],
      ['a non-integer window', { limit: 10, windowSeconds: 2.5 }, 'rateLimit.windowSeconds'],
      ['a missing window', { limit: 10 }, 'rateLimit.windowSeconds'],
      ['an unknown mode', { limit: 10, windowSeconds: 60, mode: 'off' }, 'rateLimit.mode'],
      ['an unknown field', { limit: 10, windowSeconds: 60, burst: 5 }, 'rateLimit.burst'],
      ['not an object', 100, 'rateLimit'],
    ];

    it.each(badQuotas)('POST and PATCH refuse %s: 400 VALIDATION_ERROR naming the field', async (_what, rateLimit, field) => {
      const o = await owner();
      const t = await create(o.session);
      for (const res of [
        await edge(0).post('/api/v1/tokens', { description: 'bad quota', rateLimit }, { token: o.session }),
        await patch(t.id, { rateLimit }, o.session),
      ]) {
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(Object.keys(res.body.error.details.fields), res.text).toContain(field);
      }
    });

    it('refuses a quota above the plan (403 plan_feature_missing), roles other than owner/admin (403 insufficient_role), unknown and foreign ids (404), bad PATCH bodies (400)', async () => {
      const o = await owner();
      const t = await create(o.session);
      // 1001 per hour, or 1 per second (3600 per hour): above free's 1000 per hour.
      for (const rateLimit of [{ limit: 1001, windowSeconds: 3600 }, { limit: 1, windowSeconds: 1 }, { limit: 2000, windowSeconds: 3600, mode: 'shadow' }]) {
        const created = await edge(0).post('/api/v1/tokens', { description: 'too much', rateLimit }, { token: o.session });
        expectError(created, 403, 'FORBIDDEN', 'plan_feature_missing');
        expect(created.body.error.details).toEqual({ reason: 'plan_feature_missing', plan: 'free', planLimit: 1000, planWindowSeconds: 3600 });
        expectError(await patch(t.id, { rateLimit }, o.session), 403, 'FORBIDDEN', 'plan_feature_missing');
      }
      // The plan's own rate over another window is allowed.
      expect((await patch(t.id, { rateLimit: { limit: 250, windowSeconds: 900 } }, o.session)).status).toBe(200);

      const developer = await member(o, 'developer');
      const admin = await member(o, 'admin');
      const viewer = await member(o, 'viewer');
      expectError(await patch(t.id, { rateLimit: { limit: 10, windowSeconds: 60 } }, developer), 403, 'FORBIDDEN', 'insufficient_role');
      expectError(await patch(t.id, { rateLimit: null }, viewer), 403, 'FORBIDDEN', 'insufficient_role');
      expectError(
        await edge(1).post('/api/v1/tokens', { description: 'dev quota', rateLimit: { limit: 10, windowSeconds: 60 } }, { token: developer }),
        403,
        'FORBIDDEN',
        'insufficient_role',
      );
      // A developer still creates tokens with the plan's quota, and an admin may set one.
      expect((await create(developer)).info['rateLimit']).toMatchObject({ source: 'plan' });
      expect((await patch(t.id, { rateLimit: { limit: 10, windowSeconds: 60 } }, admin)).status).toBe(200);

      const other = await signUp(edge(1), target().smtp);
      expectError(await patch(t.id, { rateLimit: null }, other.session), 404, 'NOT_FOUND');
      expectError(await patch('tok_00000000000000000000000000', { rateLimit: null }, o.session), 404, 'NOT_FOUND');
      expectError(await patch('not-a-token', { rateLimit: null }, o.session), 404, 'NOT_FOUND');
      expectError(await patch(t.id, {}, o.session), 400, 'VALIDATION_ERROR');
      expectError(await patch(t.id, { rateLimit: null, description: 'x' }, o.session), 400, 'VALIDATION_ERROR');
      expectError(await edge(0).call('PATCH', `/api/v1/tokens/${t.id}`, undefined, { token: o.session, raw: '{"rateLimit":', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_JSON');
      const apiToken = await create(o.session);
      expectError(await patch(t.id, { rateLimit: null }, apiToken.token), 403, 'FORBIDDEN', 'wrong_token_type');
      expect((await patch(t.id, { rateLimit: null }, 'nope')).status).toBe(401);
    });

    it('shadow mode: limit 3, 6 calls all pass, headers show the shadow count reaching 0 and 3 would-be refusals; enforced, it refuses', async () => {
      const o = await owner();
      await awayFromHourBoundary();
      const before = target().metrics ? await target().metrics?.() : undefined;
      const t = await create(o.session, { rateLimit: { limit: 3, windowSeconds: 3600, mode: 'shadow' } });
      expect(t.info['rateLimit']).toEqual({ limit: 3, windowSeconds: 3600, mode: 'shadow', source: 'token', plan: 'free' });
      const hits: ApiResponse[] = [];
      for (let i = 0; i < 6; i++) hits.push(await edge(i).get('/api/v1/Orders', { token: t.token }));
      expect(hits.map((h) => [h.status, header(h, 'x-ratelimit-mode'), header(h, 'x-ratelimit-limit'), header(h, 'x-ratelimit-remaining'), header(h, 'x-ratelimit-shadow-decision')])).toEqual([
        [200, 'shadow', '3', '2', 'allowed'],
        [200, 'shadow', '3', '1', 'allowed'],
        [200, 'shadow', '3', '0', 'allowed'],
        [200, 'shadow', '3', '0', 'limited'],
        [200, 'shadow', '3', '0', 'limited'],
        [200, 'shadow', '3', '0', 'limited'],
      ]);
      for (const h of hits) {
        expect(h.body?.success, h.text).toBe(true);
        expect(header(h, 'retry-after')).toBeNull();
      }
      if (before && target().metrics) {
        const after = (await target().metrics?.()) ?? [];
        const series = { name: 'dispatch_ratelimit_decisions_total', labels: { mode: 'shadow', outcome: 'limited' } };
        expect(metricSum(after, series.name, series.labels) - metricSum(before, series.name, series.labels)).toBe(3);
        expect(
          metricSum(after, series.name, { mode: 'shadow', outcome: 'allowed' }) - metricSum(before, series.name, { mode: 'shadow', outcome: 'allowed' }),
        ).toBe(3);
      }

      // Enforce the same limit: the window has 6 calls, so the next one is refused, on every edge.
      const enforced = await patch(t.id, { rateLimit: { limit: 3, windowSeconds: 3600, mode: 'enforce' } }, o.session);
      expect(enforced.status, enforced.text).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await edge(i).get('/api/v1/Orders', { token: t.token });
        expectError(res, 429, 'RATE_LIMITED');
        expect(limits(res)).toEqual({ status: 429, limit: '3', remaining: '0', mode: 'enforce' });
        expect(header(res, 'x-ratelimit-shadow-decision')).toBeNull();
        expect(Number(header(res, 'retry-after'))).toBeGreaterThanOrEqual(1);
      }
    });

    it('shadow in a window other than the plan’s (3 per 60 s): the shadow counts every passing call, so enforcing it refuses at once', async () => {
      const o = await owner();
      await awayFromBoundary(60, 20_000);
      await awayFromHourBoundary();
      const t = await create(o.session, { rateLimit: { limit: 3, windowSeconds: 60, mode: 'shadow' } });
      const hits: ApiResponse[] = [];
      for (let i = 0; i < 5; i++) hits.push(await edge(i).get('/api/v1/Orders', { token: t.token }));
      expect(hits.map((h) => [h.status, header(h, 'x-ratelimit-limit'), header(h, 'x-ratelimit-remaining'), header(h, 'x-ratelimit-shadow-decision')])).toEqual([
        [200, '3', '2', 'allowed'],
        [200, '3', '1', 'allowed'],
        [200, '3', '0', 'allowed'],
        [200, '3', '0', 'limited'],
        [200, '3', '0', 'limited'],
      ]);
      const reset = Number(header(hits[0] as ApiResponse, 'x-ratelimit-reset'));
      expect(reset % 60).toBe(0);
      const enforced = await patch(t.id, { rateLimit: { limit: 3, windowSeconds: 60, mode: 'enforce' } }, o.session);
      expect(enforced.status, enforced.text).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await edge(i).get('/api/v1/Orders', { token: t.token });
        expectError(res, 429, 'RATE_LIMITED');
        expect(limits(res)).toEqual({ status: 429, limit: '3', remaining: '0', mode: 'enforce' });
        expect(Number(header(res, 'x-ratelimit-reset'))).toBe(reset);
      }
    });

    it('GET /api/v1/tokens/{id}/usage: exact counts per status class (200, 403 insufficient_scope, 429) per minute, hour and day after the flush', async () => {
      const o = await owner();
      await awayFromHourBoundary();
      const t = await create(o.session, { scopes: ['orders:read'], rateLimit: { limit: 4, windowSeconds: 3600 } });
      const statuses: number[] = [];
      for (let i = 0; i < 2; i++) statuses.push((await edge(i).get('/api/v1/Echo', { token: t.token })).status);
      for (let i = 0; i < 6; i++) statuses.push((await edge(i).get('/api/v1/Orders', { token: t.token })).status);
      expect(statuses).toEqual([403, 403, 200, 200, 200, 200, 429, 429]);
      const want = { total: 8, '2xx': 4, '3xx': 0, '4xx': 2, '429': 2, '5xx': 0 };

      const hourly = await waitFor('usage after the flush', async () => {
        const res = await edge(1).get(`/api/v1/tokens/${t.id}/usage`, { token: o.session });
        expect(res.status, res.text).toBe(200);
        return res.body.data.totals.total >= 8 ? res.body.data : undefined;
      });
      expect(hourly.totals).toEqual(want);
      expect(hourly.granularity).toBe('hour');
      expect(hourly.buckets).toHaveLength(24);
      expect(Date.parse(hourly.to) - Date.parse(hourly.from)).toBe(24 * 3_600_000);
      const nonEmpty = (hourly.buckets as (typeof want & { start: string })[]).filter((b) => b.total > 0);
      expect(nonEmpty.reduce((n, b) => n + b.total, 0)).toBe(8);
      for (const b of hourly.buckets as { start: string }[]) expect(b.start).toMatch(/T\d\d:00:00\.000Z$/);

      for (const granularity of ['minute', 'day']) {
        const res = await edge(0).get(`/api/v1/tokens/${t.id}/usage?granularity=${granularity}`, { token: o.session });
        expect(res.status, res.text).toBe(200);
        expect(res.body.data.totals).toEqual(want);
        expect(res.body.data.buckets).toHaveLength(granularity === 'minute' ? 60 : 30);
      }
      const from = new Date(Date.now() - 2 * 3_600_000).toISOString();
      const ranged = await edge(0).get(`/api/v1/tokens/${t.id}/usage?granularity=minute&from=${from}`, { token: o.session });
      expect(ranged.body.data.totals).toEqual(want);
      // A range before the calls is empty (every bucket listed, all zero).
      const earlier = await edge(1).get(
        `/api/v1/tokens/${t.id}/usage?from=${new Date(Date.now() - 5 * 86_400_000).toISOString()}&to=${new Date(Date.now() - 4 * 86_400_000).toISOString()}`,
        { token: o.session },
      );
      expect(earlier.status).toBe(200);
      expect(earlier.body.data.totals.total).toBe(0);

      // Developers may read usage; viewers may not.
      const developer = await member(o, 'developer');
      expect((await edge(0).get(`/api/v1/tokens/${t.id}/usage`, { token: developer })).status).toBe(200);
      expectError(await edge(0).get(`/api/v1/tokens/${t.id}/usage`, { token: await member(o, 'viewer') }), 403, 'FORBIDDEN', 'insufficient_role');
    });

    it.each([
      ['an unknown granularity', 'granularity=week'],
      ['a malformed from', 'from=yesterday'],
      ['from after to', () => `from=${new Date().toISOString()}&to=${new Date(Date.now() - 3_600_000).toISOString()}`],
      ['over 24 hours of minutes', 'granularity=minute&from=2030-01-01T00:00:00Z&to=2030-01-02T00:01:00Z'],
      ['over 31 days of hours', 'granularity=hour&from=2030-01-01T00:00:00Z&to=2030-02-02T00:00:00Z'],
      ['an unknown parameter', 'since=1'],
      ['a repeated parameter', 'granularity=hour&granularity=day'],
    ] as [string, string | (() => string)][])('usage refuses %s: 400 VALIDATION_ERROR', async (_what, query) => {
      const o = await owner();
      const t = await create(o.session);
      const qs = typeof query === 'function' ? query() : query;
      expectError(await edge(1).get(`/api/v1/tokens/${t.id}/usage?${qs}`, { token: o.session }), 400, 'VALIDATION_ERROR');
    });

    it('usage of an unknown, malformed or other business’s token is 404; without a session 401', async () => {
      const o = await owner();
      const t = await create(o.session);
      const other = await signUp(edge(1), target().smtp);
      expectError(await edge(0).get(`/api/v1/tokens/${t.id}/usage`, { token: other.session }), 404, 'NOT_FOUND');
      expectError(await edge(0).get('/api/v1/tokens/tok_00000000000000000000000000/usage', { token: o.session }), 404, 'NOT_FOUND');
      expectError(await edge(0).get('/api/v1/tokens/xyz/usage', { token: o.session }), 404, 'NOT_FOUND');
      expect((await edge(0).get(`/api/v1/tokens/${t.id}/usage`)).status).toBe(401);
      expectError(await edge(0).get(`/api/v1/tokens/${t.id}/usage`, { token: t.token }), 403, 'FORBIDDEN', 'wrong_token_type');
    });
  });
}
