import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mesh, SmtpSink, freePort, startInfra, uniqueNamespace, waitUntil, type Infra, type LocalServer } from '@dispatch/testkit';
import { Api } from './http-client.js';
import { createApiToken, signUp, type SignedUp } from './accounts-fixture.js';

/**
 * Fault tests on the real mesh, two instances of every service, under steady load:
 * kill -9 of one token-service instance, nats-server restart (same port, same JetStream store),
 * redis-server stop/start (fail-open and fail-closed rate-limit policy), notification service
 * stop/start, and every token-service instance down. After each fault authenticated requests
 * recover within RECOVERY_BOUND_MS without restarting anything else. Strict, over the whole run:
 * no request without a valid token is ever answered 200, a valid token never gets 401, and every
 * API token created (201) has its audit record and its email (no domain event lost).
 *
 * Recovery bound: measured 0.1–4.5 s on a 2-core machine at load average 15–40 (token kill -9
 * 0.1–0.5 s, Redis back 0.1–0.4 s, nats-server restart 0.4–0.8 s, token service restart 0.9–4.5 s,
 * mails held while notification was down sent 1–3.7 s after the stop). Before the bus failed fast
 * while disconnected, the nats-server restart took ~3.3 s: requests made during the reconnect were
 * never answered and ran out the 3 s bus timeout. 25 s leaves room for a slower CI machine.
 */
const RECOVERY_BOUND_MS = 25_000;
/** Consecutive 200s on every edge that count as "recovered". */
const RECOVERED_AFTER = 3;
/** Answers of the background load (valid, and invalid tokens) before the first fault. */
const MIN_LOAD = 20;

const owned = !process.env['NATS_URL'] && !process.env['REDIS_URL'];

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;
let owner: SignedUp;
let good: string;
let revoked: string;
/** Edges 0 and 1: RATE_LIMIT_FAILURE_POLICY=open (default); edge 2: closed. */
let openEdges: Api[];
let closedEdge: Api;
const createdTokenIds: string[] = [];
const recovery: Record<string, number> = {};

interface Sample {
  at: number;
  status: number;
  code?: string;
}
/** Every answer the background load got: with the valid token, and without one. */
const goodSamples: Sample[] = [];
const badSamples: (Sample & { kind: string })[] = [];
let loadRunning = true;
let loadDone: Promise<unknown> | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const server = (kind: 'nats' | 'redis'): LocalServer => {
  const s = infra.servers[kind];
  if (!s) throw new Error(`${kind} is not a server the testkit started`);
  return s;
};

/** One GET of the business API; a connection error counts as status 0. */
async function getOrders(api: Api, token?: string): Promise<Sample> {
  try {
    const res = await api.get('/api/v1/Orders', token === undefined ? {} : { token });
    return { at: Date.now(), status: res.status, ...(res.body?.error?.code ? { code: String(res.body.error.code) } : {}) };
  } catch {
    return { at: Date.now(), status: 0 };
  }
}

/** Steady load: valid-token requests on both open edges, and requests with no/garbage/revoked/forged tokens. */
function startLoad(forged: string): Promise<unknown> {
  const goodWorker = async (api: Api) => {
    while (loadRunning) goodSamples.push(await getOrders(api, good));
  };
  const badTokens: [string, string | undefined][] = [
    ['none', undefined],
    ['garbage', 'not-a-token'],
    ['revoked', revoked],
    ['forged', forged],
  ];
  const badWorker = async (api: Api) => {
    for (let i = 0; loadRunning; i++) {
      const [kind, token] = badTokens[i % badTokens.length] ?? ['none', undefined];
      badSamples.push({ kind, ...(await getOrders(api, token)) });
      await sleep(5);
    }
  };
  return Promise.all([...openEdges.map(goodWorker), ...openEdges.map(goodWorker), badWorker(openEdges[0] ?? closedEdge), badWorker(closedEdge)]);
}

/**
 * Polls every given edge with the valid token until each answers 200 RECOVERED_AFTER times in a
 * row; returns the milliseconds since `since` and records them under `label`.
 */
async function waitRecovered(label: string, since: number, edges: Api[] = openEdges): Promise<number> {
  const deadline = since + RECOVERY_BOUND_MS;
  const streak = edges.map(() => 0);
  let last: Sample | undefined;
  while (streak.some((n) => n < RECOVERED_AFTER)) {
    if (Date.now() > deadline) throw new Error(`${label}: not recovered within ${RECOVERY_BOUND_MS} ms (last: ${JSON.stringify(last)})`);
    await Promise.all(
      edges.map(async (api, i) => {
        last = await getOrders(api, good);
        streak[i] = last.status === 200 ? (streak[i] ?? 0) + 1 : 0;
      }),
    );
    if (streak.some((n) => n === 0)) await sleep(50);
  }
  const ms = Date.now() - since;
  recovery[label] = ms;
  return ms;
}

/** Creates an API token, retrying 503s until `deadlineMs`; only tokens answered 201 are counted. */
async function createCounted(tag: string, deadlineMs = 20_000): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    const api = openEdges[attempt % openEdges.length] ?? closedEdge;
    const res = await api.post('/api/v1/tokens', { description: `fault ${tag} ${attempt}` }, { token: owner.session });
    if (res.status === 201) {
      const id = String(res.body.data.tokenInfo.id);
      createdTokenIds.push(id);
      return id;
    }
    if (res.status !== 503 || Date.now() > deadline) throw new Error(`create token (${tag}): ${res.status} ${res.text}`);
    await sleep(200);
  }
}

async function unavailableDecisions(opsUrl: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('dispatch_ratelimit_decisions_total{') && l.includes('"unavailable"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.skipIf(!owned)('faults under load (two instances of every service)', () => {
  beforeAll(async () => {
    infra = await startInfra();
    smtp = await SmtpSink.start();
    mesh = await Mesh.start({
      infra,
      namespace: uniqueNamespace('fault'),
      smtpUrl: smtp.url,
      instances: { identity: 2, token: 2, ratelimit: 2, notification: 2, edge: 2 },
      env: { RATE_LIMIT_DEFAULT_LIMIT: '100000000', LAST_USED_FLUSH_MS: '1000' },
    });
    await mesh.add('edge', { EDGE_PORT: String(await freePort()), RATE_LIMIT_FAILURE_POLICY: 'closed' });
    const [e0, e1, e2] = mesh.edgeUrls.map((url) => new Api(url));
    if (!e0 || !e1 || !e2) throw new Error('three edges expected');
    openEdges = [e0, e1];
    closedEdge = e2;
    owner = await signUp(e0, smtp);
    good = (await createApiToken(e0, owner.session, 'load')).token;
    const r = await createApiToken(e0, owner.session, 'revoked');
    revoked = r.token;
    const del = await e0.delete(`/api/v1/tokens/${r.id}`, { token: owner.session });
    expect(del.status).toBe(200);
    // A real token's header and claims with the signature of another real token: must never pass.
    const [h, p] = good.split('.');
    const sig = revoked.split('.')[2];
    loadDone = startLoad(`${h}.${p}.${sig}`);
    await waitRecovered('initial', Date.now(), [e0, e1, e2]);
    // Count answers, not milliseconds: the load is under way before the first fault, however slow the machine.
    await waitUntil(
      () => goodSamples.filter((s) => s.status === 200).length >= MIN_LOAD && badSamples.length >= MIN_LOAD,
      60_000,
      `${MIN_LOAD} answers of each kind of load`,
    );
  });

  afterAll(async () => {
    loadRunning = false;
    await loadDone;
    console.log(`fault recovery (ms): ${JSON.stringify(recovery)}; load: ${goodSamples.length} valid-token, ${badSamples.length} invalid-token requests`);
    await mesh?.stop();
    await smtp?.stop();
    await infra?.stop();
  });

  it('kill -9 of one token-service instance: recovers, the other instance serves', async () => {
    await createCounted('before-kill');
    const t0 = Date.now();
    await mesh.stopProcess('token', 0, 'SIGKILL');
    await waitRecovered('token kill -9', t0);
    await createCounted('token-killed');
    await mesh.launch(mesh.find('token', 0));
  });

  it('nats-server restart (same port and JetStream store): every service reconnects by itself', async () => {
    await createCounted('before-nats-restart');
    await server('nats').restart();
    const t0 = Date.now();
    await waitRecovered('nats restart', t0, [...openEdges, closedEdge]);
    await createCounted('after-nats-restart');
  });

  it('redis-server down: policy open passes calls without rate-limit headers, closed answers 503; restart recovers', async () => {
    const before = await unavailableDecisions(mesh.opsUrl('edge', 0));
    await server('redis').kill('SIGKILL');
    const t0 = Date.now();
    // Open (edges 0 and 1): 200 without X-RateLimit-* while Redis is away.
    for (const api of openEdges) {
      const res = await api.get('/api/v1/Orders', { token: good });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      expect(res.headers.get('x-ratelimit-remaining')).toBeNull();
    }
    // Closed (edge 2): 503 SERVICE_UNAVAILABLE, never the upstream's 200.
    const closed = await closedEdge.get('/api/v1/Orders', { token: good });
    expect(closed.status).toBe(503);
    expect(closed.body.error.code).toBe('SERVICE_UNAVAILABLE');
    // The open policy is counted (and logged by the edge).
    expect(await unavailableDecisions(mesh.opsUrl('edge', 0))).toBeGreaterThan(before);
    expect(Date.now() - t0).toBeLessThan(RECOVERY_BOUND_MS);

    await server('redis').start();
    const t1 = Date.now();
    await waitRecovered('redis restart (closed edge)', t1, [closedEdge]);
    // Decided again (headers back) on the open edges.
    for (const api of openEdges) {
      const deadline = Date.now() + RECOVERY_BOUND_MS;
      for (;;) {
        const res = await api.get('/api/v1/Orders', { token: good });
        if (res.status === 200 && res.headers.get('x-ratelimit-limit') === '100000000') break;
        if (Date.now() > deadline) throw new Error(`rate-limit headers not back: ${res.status}`);
        await sleep(100);
      }
    }
    recovery['redis restart (headers back)'] = Date.now() - t1;
    await createCounted('after-redis-restart');
  });

  it('notification service stopped: events wait on the stream and are mailed after it starts again', async () => {
    const t0 = Date.now();
    await Promise.all([mesh.stopProcess('notification', 0), mesh.stopProcess('notification', 1)]);
    const whileDown = [await createCounted('notification-down-1'), await createCounted('notification-down-2')];
    // Authentication does not depend on the notification service.
    const res = await openEdges[0]?.get('/api/v1/Orders', { token: good });
    expect(res?.status).toBe(200);
    expect(smtp.messages.filter((m) => whileDown.some((id) => m.text.includes(`(${id})`)))).toEqual([]);
    await Promise.all([mesh.launch(mesh.find('notification', 0)), mesh.launch(mesh.find('notification', 1))]);
    for (const id of whileDown) await smtp.waitFor(owner.email, (m) => m.text.includes(`(${id})`), RECOVERY_BOUND_MS);
    recovery['notification restart (mails sent)'] = Date.now() - t0;
  });

  it('every token-service instance down: 503 SERVICE_UNAVAILABLE, never 200; restart recovers', async () => {
    await Promise.all([mesh.stopProcess('token', 0, 'SIGKILL'), mesh.stopProcess('token', 1, 'SIGKILL')]);
    for (const api of [...openEdges, closedEdge]) {
      const res = await api.get('/api/v1/Orders', { token: good });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'SERVICE_UNAVAILABLE', message: 'Authentication is temporarily unavailable, try again shortly' },
      });
    }
    const t0 = Date.now();
    await Promise.all([mesh.launch(mesh.find('token', 0)), mesh.launch(mesh.find('token', 1))]);
    await waitRecovered('token service restart', t0, [...openEdges, closedEdge]);
    await createCounted('after-token-restart');
  });

  it('over the whole run: nothing answered 200 without a valid token, a valid token never got 401, no event lost', async () => {
    loadRunning = false;
    await loadDone;
    // Strict: an invalid token gets 401 (or 503 while the token service cannot answer), never 200.
    const badStatuses = new Set(badSamples.map((s) => s.status));
    expect(badSamples.filter((s) => s.status === 200)).toEqual([]);
    expect([...badStatuses].every((s) => s === 401 || s === 503)).toBe(true);
    expect(badSamples.filter((s) => s.status === 503).every((s) => s.code === 'SERVICE_UNAVAILABLE')).toBe(true);
    for (const kind of ['none', 'garbage', 'revoked', 'forged']) expect(badSamples.filter((s) => s.kind === kind && s.status === 401).length).toBeGreaterThan(0);
    // The valid token: 200, or 503 SERVICE_UNAVAILABLE during a fault; never 401/403/429/5xx otherwise.
    const goodOther = goodSamples.filter((s) => s.status !== 200 && !(s.status === 503 && s.code === 'SERVICE_UNAVAILABLE'));
    expect(goodOther).toEqual([]);
    expect(goodSamples.filter((s) => s.status === 200).length).toBeGreaterThanOrEqual(MIN_LOAD);

    // No domain event lost: every token created (201) has its token.created email and audit record.
    expect(createdTokenIds.length).toBeGreaterThanOrEqual(8);
    for (const id of createdTokenIds) {
      await smtp.waitFor(owner.email, (m) => m.text.includes(`(${id})`), RECOVERY_BOUND_MS);
      const audit = await openEdges[0]?.get(`/api/v1/audit?tokenId=${id}`, { token: owner.session });
      expect(audit?.status).toBe(200);
      const actions = (audit?.body.data.records as { action: string }[]).map((r) => r.action);
      expect(actions.filter((a) => a === 'token.created')).toHaveLength(1);
    }
    // No service had to be restarted besides the ones a fault stopped: every process still runs.
    for (const p of mesh.processes) expect(p.child?.exitCode ?? null, `${p.service}-${p.index}`).toBeNull();
  });
});
