import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { createApiToken, signUp } from './accounts-fixture.js';
import { Api } from './http-client.js';

/*
 * Per-token rate limits over the real mesh: TWO edges (each its own process), the ratelimit
 * service on Redis, token validation over NATS. The limiter is a fixed window aligned to the Unix
 * epoch (windowStart = floor(now / W) * W, reset = windowStart + W, Redis's clock), one Lua script
 * per decision. Expectations are computed from the headers the edge sends, never from guesses
 * about how fast this machine is.
 */

let infra: Infra;
let smtp: SmtpSink;

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
});

afterAll(async () => {
  await smtp?.stop();
  await infra?.stop();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Hit {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads arbitrary JSON
  body: any;
  text: string;
  /** Date.now() when the request was sent / the response fully read. */
  sentAt: number;
  receivedAt: number;
  edge: number;
}

/**
 * An integrator's HTTP client: one keep-alive agent per edge with a bounded socket pool, so a
 * burst of hundreds of calls is queued by the client (as a real one would) rather than opening
 * hundreds of sockets on a 2-core machine.
 */
class Client {
  private readonly agents: Agent[];

  constructor(
    private readonly edgeUrls: string[],
    maxSocketsPerEdge = 32,
  ) {
    this.agents = edgeUrls.map(() => new Agent({ keepAlive: true, maxSockets: maxSocketsPerEdge }));
  }

  get(edge: number, path: string, token: string): Promise<Hit> {
    const i = edge % this.edgeUrls.length;
    const base = this.edgeUrls[i];
    const agent = this.agents[i];
    if (!base || !agent) throw new Error('no edge');
    const sentAt = Date.now();
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, base),
        { method: 'GET', agent, headers: { accept: 'application/json', authorization: `Bearer ${token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, sentAt, receivedAt: Date.now(), edge: i });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    for (const a of this.agents) a.destroy();
  }
}

/** A rate-limit header as an integer; fails the test when it is missing or not a plain integer. */
function intHeader(hit: Hit, name: string): number {
  const raw = hit.headers[name.toLowerCase()];
  expect(typeof raw, `${name} on a ${hit.status}: ${hit.text}`).toBe('string');
  expect(String(raw), `${name} is a non-negative integer`).toMatch(/^\d+$/);
  return Number(raw);
}

interface Limits {
  limit: number;
  remaining: number;
  reset: number;
}

/**
 * The three X-RateLimit-* headers, with what holds for every rate-limited response:
 * Limit is the quota, Remaining in 0…limit-1 (never negative), Reset an epoch second on a window
 * boundary, after the request was sent and at most one window after it was answered.
 */
function limitsOf(hit: Hit, quota: number, windowSeconds: number): Limits {
  const limits = {
    limit: intHeader(hit, 'X-RateLimit-Limit'),
    remaining: intHeader(hit, 'X-RateLimit-Remaining'),
    reset: intHeader(hit, 'X-RateLimit-Reset'),
  };
  expect(limits.limit).toBe(quota);
  expect(limits.remaining).toBeGreaterThanOrEqual(0);
  expect(limits.remaining).toBeLessThan(quota);
  expect(limits.reset % windowSeconds, 'Reset is aligned to the epoch').toBe(0);
  expect(limits.reset, 'Reset is in the future of the request').toBeGreaterThan(hit.sentAt / 1000);
  expect(limits.reset, 'Reset is at most one window away').toBeLessThanOrEqual(Math.floor(hit.receivedAt / 1000) + windowSeconds);
  return limits;
}

/**
 * A 429: the envelope, Remaining 0, and Retry-After = Reset − now rounded up (≥ 1), where "now"
 * is the decision time, somewhere between sending and receiving.
 */
function expectLimited(hit: Hit, quota: number, windowSeconds: number): Limits & { retryAfter: number } {
  expect(hit.status, hit.text).toBe(429);
  const limits = limitsOf(hit, quota, windowSeconds);
  expect(limits.remaining).toBe(0);
  const retryAfter = intHeader(hit, 'Retry-After');
  const earliest = Math.max(1, Math.ceil(limits.reset - hit.receivedAt / 1000));
  const latest = Math.max(1, Math.ceil(limits.reset - hit.sentAt / 1000));
  expect(retryAfter).toBeGreaterThanOrEqual(earliest);
  expect(retryAfter).toBeLessThanOrEqual(latest);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(hit.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
  expect(typeof hit.body.error.message).toBe('string');
  expect(hit.body.error.details).toEqual({ limit: quota, resetAt: limits.reset, retryAfterSeconds: retryAfter });
  return { ...limits, retryAfter };
}

function countStatuses(hits: Hit[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const h of hits) counts[h.status] = (counts[h.status] ?? 0) + 1;
  return counts;
}

describe('per-token quota over the real mesh: exact under concurrency on 2 edges', () => {
  const QUOTA = 100;
  const WINDOW = 3600;
  let mesh: Mesh;
  let client: Client;
  let first: string;
  let second: string;

  beforeAll(async () => {
    mesh = await Mesh.start({
      infra,
      namespace: uniqueNamespace('rl'),
      smtpUrl: smtp.url,
      instances: { edge: 2 },
      env: {
        RATE_LIMIT_DEFAULT_LIMIT: String(QUOTA),
        RATE_LIMIT_WINDOW_SECONDS: String(WINDOW),
        // A timed-out consume would fail open (a 200 without headers): give a loaded machine time.
        BUS_TIMEOUT_MS: '20000',
      },
    });
    client = new Client(mesh.edgeUrls);
    const api = new Api(mesh.edgeUrls[0] ?? '');
    const owner = await signUp(api, smtp);
    first = (await createApiToken(api, owner.session, 'first')).token;
    second = (await createApiToken(api, owner.session, 'second')).token;
    // Both bursts must fall in one epoch window: too close to its end, start in the next one.
    const msLeft = WINDOW * 1000 - (Date.now() % (WINDOW * 1000));
    if (msLeft < 60_000) await sleep(msLeft + 1_000);
  }, 240_000);

  afterAll(async () => {
    client?.close();
    await mesh?.stop();
  });

  it('500 concurrent calls with one token, spread over both edges: exactly 100 × 200 and 400 × 429', async () => {
    const started = Date.now();
    const hits = await Promise.all(Array.from({ length: 500 }, (_, i) => client.get(i, '/api/v1/Orders', first)));
    const elapsed = Date.now() - started;

    const counts = countStatuses(hits);
    console.log(`[ratelimit] burst of 500 (one token, 2 edges): ${JSON.stringify(counts)} in ${elapsed} ms`);
    expect(counts).toEqual({ 200: 100, 429: 400 });

    const allowed = hits.filter((h) => h.status === 200);
    const limited = hits.filter((h) => h.status === 429);
    // Every response carries the headers; one window, so one Reset for all 500.
    const allowedLimits = allowed.map((h) => limitsOf(h, QUOTA, WINDOW));
    const limitedLimits = limited.map((h) => expectLimited(h, QUOTA, WINDOW));
    const resets = new Set([...allowedLimits, ...limitedLimits].map((l) => l.reset));
    expect(resets.size).toBe(1);
    // Atomic decisions: each allowed call saw a distinct count, so Remaining is exactly 99, 98, … 0.
    expect(allowedLimits.map((l) => l.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: QUOTA }, (_, i) => i));
    for (const h of allowed) expect(h.body?.success, h.text).toBe(true);
    // Both edges answered, each with its share of refusals (at most 100 of its 250 can pass).
    for (const edge of [0, 1]) expect(limited.filter((h) => h.edge === edge).length).toBeGreaterThanOrEqual(150);
  }, 120_000);

  it('a second token of the same business has its own quota: 100 more pass while the first stays at 429', async () => {
    const calls: Promise<Hit>[] = [];
    for (let i = 0; i < 150; i++) calls.push(client.get(i, '/api/v1/Orders', second));
    for (let i = 0; i < 50; i++) calls.push(client.get(i, '/api/v1/Orders', first));
    const hits = await Promise.all(calls);
    const secondHits = hits.slice(0, 150);
    const firstHits = hits.slice(150);

    console.log(`[ratelimit] second token: ${JSON.stringify(countStatuses(secondHits))}, first token again: ${JSON.stringify(countStatuses(firstHits))}`);
    expect(countStatuses(secondHits)).toEqual({ 200: 100, 429: 50 });
    expect(countStatuses(firstHits)).toEqual({ 429: 50 });
    const remaining = secondHits
      .filter((h) => h.status === 200)
      .map((h) => limitsOf(h, QUOTA, WINDOW).remaining)
      .sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: QUOTA }, (_, i) => i));
    // Epoch-aligned: both tokens' windows end at the same second.
    const resets = new Set(hits.map((h) => (h.status === 429 ? expectLimited(h, QUOTA, WINDOW) : limitsOf(h, QUOTA, WINDOW)).reset));
    expect(resets.size).toBe(1);
  }, 120_000);
});

describe('window boundary (limit 3, 2-second windows)', () => {
  const QUOTA = 3;
  const WINDOW = 2;
  let mesh: Mesh;
  let client: Client;
  let token: string;

  beforeAll(async () => {
    mesh = await Mesh.start({
      infra,
      namespace: uniqueNamespace('rlw'),
      smtpUrl: smtp.url,
      instances: { edge: 2 },
      env: { RATE_LIMIT_DEFAULT_LIMIT: String(QUOTA), RATE_LIMIT_WINDOW_SECONDS: String(WINDOW), BUS_TIMEOUT_MS: '20000' },
    });
    client = new Client(mesh.edgeUrls, 4);
    const api = new Api(mesh.edgeUrls[0] ?? '');
    const owner = await signUp(api, smtp);
    token = (await createApiToken(api, owner.session, 'boundary')).token;
  }, 240_000);

  afterAll(async () => {
    client?.close();
    await mesh?.stop();
  });

  /**
   * Uses up one whole window: waits for a fresh window (after the latest Reset seen), then sends
   * limit + 1 calls in a row. When the machine is so slow that the calls straddle a boundary
   * (their Resets differ), tries again in the next window.
   */
  async function exhaustOneWindow(): Promise<{ allowed: Hit[]; limited: Hit }> {
    let latestReset = limitsOf(await client.get(0, '/api/v1/Orders', token), QUOTA, WINDOW).reset;
    for (let attempt = 0; attempt < 5; attempt++) {
      await sleep(Math.max(0, latestReset * 1000 - Date.now()) + 20);
      const hits: Hit[] = [];
      for (let i = 0; i <= QUOTA; i++) hits.push(await client.get(i, '/api/v1/Orders', token));
      const resets = hits.map((h) => limitsOf(h, QUOTA, WINDOW).reset);
      latestReset = Math.max(...resets);
      if (new Set(resets).size > 1) continue;
      const limited = hits[QUOTA];
      if (!limited) throw new Error('no last hit');
      return { allowed: hits.slice(0, QUOTA), limited };
    }
    throw new Error('could not fit limit + 1 calls in one 2-second window in 5 attempts');
  }

  it('exhausted: Remaining counts down to 0 with one Reset; 429 with Retry-After; after Retry-After a new window', async () => {
    const { allowed, limited } = await exhaustOneWindow();
    // Remaining after each call: 2, 1, 0 — same Reset across the window.
    expect(allowed.map((h) => h.status)).toEqual([200, 200, 200]);
    const allowedLimits = allowed.map((h) => limitsOf(h, QUOTA, WINDOW));
    expect(allowedLimits.map((l) => l.remaining)).toEqual([2, 1, 0]);
    const reset = allowedLimits[0]?.reset ?? 0;
    const refused = expectLimited(limited, QUOTA, WINDOW);
    expect(refused.reset).toBe(reset);

    // Whoever waits Retry-After seconds is past Reset (Retry-After counted from the decision).
    await sleep(refused.retryAfter * 1000 - (Date.now() - limited.receivedAt) + 5);
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
    const next = await client.get(1, '/api/v1/Orders', token);
    expect(next.status, next.text).toBe(200);
    const fresh = limitsOf(next, QUOTA, WINDOW);
    expect(fresh.remaining).toBe(QUOTA - 1); // the refused call used no quota
    expect(fresh.reset).toBeGreaterThan(reset);
    expect((fresh.reset - reset) % WINDOW).toBe(0);
    console.log(`[ratelimit] boundary: reset ${reset}, Retry-After ${refused.retryAfter} s, next window reset ${fresh.reset}`);
  }, 60_000);

  it('every 429 in a window carries Remaining 0 and the same Reset; the window refuses until then', async () => {
    const { limited } = await exhaustOneWindow();
    const firstRefusal = expectLimited(limited, QUOTA, WINDOW);
    const again = await client.get(1, '/api/v1/Orders', token);
    if (again.receivedAt < firstRefusal.reset * 1000) {
      // Decided inside the same window (a slow machine may have crossed it): refused again.
      const secondRefusal = expectLimited(again, QUOTA, WINDOW);
      expect(secondRefusal.reset).toBe(firstRefusal.reset);
      expect(secondRefusal.retryAfter).toBeLessThanOrEqual(firstRefusal.retryAfter);
    }
  }, 60_000);
});
