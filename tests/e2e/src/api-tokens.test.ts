import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, base64url } from 'jose';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { inviteMember, signUp, type SignedUp } from './accounts-fixture.js';
import { Api, unauthorizedEnvelope, type ApiResponse } from './http-client.js';

/*
 * Issue #3 over the real mesh: TWO edges and TWO token-service instances (each its own process),
 * NATS JetStream, Redis, FerretDB and an SMTP sink. Flushes are fast so that last-used, usage and
 * expiry show within a second or two.
 */

const CAP = 12;
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;
let edges: Api[];
const namespace = uniqueNamespace('tok');

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
  mesh = await Mesh.start({
    infra,
    namespace,
    smtpUrl: smtp.url,
    instances: { edge: 2, token: 2 },
    env: {
      RATE_LIMIT_DEFAULT_LIMIT: '1000000',
      // A loaded CI machine with FerretDB can take seconds to revoke; the default 3 s would turn that into a 503.
      BUS_TIMEOUT_MS: '20000',
      LAST_USED_FLUSH_MS: '500',
      EDGE_USAGE_FLUSH_MS: '500',
      TOKEN_EXPIRY_SWEEP_MS: '1000',
      TOKEN_MAX_ACTIVE_PER_BUSINESS: String(CAP),
    },
  });
  edges = mesh.edgeUrls.map((url) => new Api(url));
});

afterAll(async () => {
  await mesh?.stop();
  await smtp?.stop();
  await infra?.stop();
});

const edge = (i = 0): Api => {
  const api = edges[i % edges.length];
  if (!api) throw new Error('no edge');
  return api;
};
const randomEdge = (): Api => edge(Math.floor(Math.random() * edges.length));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FORBIDDEN_REASONS = ['insufficient_scope', 'insufficient_role', 'plan_feature_missing', 'wrong_token_type'];

/** Asserts the status and the envelope's error code; for 403s also that details.reason is one of the closed set. */
function expectError(res: ApiResponse, status: number, code: string, reason?: string): void {
  expect({ status: res.status, success: res.body?.success, code: res.body?.error?.code }, res.text).toEqual({ status, success: false, code });
  expect(typeof res.body.error.message).toBe('string');
  if (status === 403) {
    expect(FORBIDDEN_REASONS).toContain(res.body.error.details?.reason);
    if (reason) expect(res.body.error.details.reason).toBe(reason);
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function create(session: string, body: Record<string, unknown> = {}, api = edge(0)): Promise<{ token: string; id: string; info: Record<string, unknown> }> {
  const res = await api.post('/api/v1/tokens', { description: 'test token', ...body }, { token: session });
  expect(res.status, res.text).toBe(201);
  return { token: String(res.body.data.token), id: String(res.body.data.tokenInfo.id), info: res.body.data.tokenInfo };
}

/** Invites a member with `role` into the owner's business and logs them in. */
function member(owner: SignedUp, role: 'admin' | 'developer' | 'viewer'): Promise<string> {
  return inviteMember(edge(0), edge(1), smtp, owner.session, role);
}

describe('API tokens over the real mesh (2 edges, 2 token-service instances)', () => {
  let owner: SignedUp;
  let other: SignedUp;

  beforeAll(async () => {
    other = await signUp(edge(1), smtp);
  });
  // Each section works in a business of its own (the cap is per business).
  const freshOwner = async () => {
    owner = await signUp(edge(0), smtp);
  };

  describe('1. create', () => {
    beforeAll(freshOwner);
    const future = () => new Date(Date.now() + 3600_000).toISOString();
    const cases: [string, unknown, string][] = [
      ['missing description', {}, 'description'],
      ['empty description', { description: '' }, 'description'],
      ['blank description', { description: '   ' }, 'description'],
      ['oversized description', { description: 'd'.repeat(101) }, 'description'],
      ['non-string description', { description: 42 }, 'description'],
      ['past expiresAt', { description: 'x', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      ['malformed expiresAt', { description: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
      ['unknown scope', { description: 'x', scopes: ['orders:delete'] }, 'scopes.0'],
      ['empty scopes', { description: 'x', scopes: [] }, 'scopes'],
      ['scopes not an array', { description: 'x', scopes: 'orders:read' }, 'scopes'],
      ['unknown field', { description: 'x', businessId: 'biz_forged' }, 'businessId'],
    ];
    for (const [label, body, field] of cases) {
      it(`400 VALIDATION_ERROR: ${label}`, async () => {
        const res = await edge(1).post('/api/v1/tokens', body, { token: owner.session });
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(res.body.error.details.fields).toHaveProperty([field]);
      });
    }

    it('trims the description, keeps expiresAt and scopes, shows the secret once (no-store)', async () => {
      const expiresAt = future();
      const res = await edge(0).post(
        '/api/v1/tokens',
        { description: '  Nightly export  ', expiresAt, scopes: ['orders:read', 'orders:read'] },
        { token: owner.session },
      );
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.data.tokenInfo).toMatchObject({
        description: 'Nightly export',
        expiresAt: new Date(expiresAt).toISOString(),
        scopes: ['orders:read'],
        status: 'active',
        createdBy: owner.userId,
      });
      const listed = await edge(1).get('/api/v1/tokens', { token: owner.session });
      expect(listed.text).not.toContain(res.body.data.token);
    });

    it('a narrower token gets 403 FORBIDDEN insufficient_scope outside its scopes (default * reaches everything)', async () => {
      const readOrders = await create(owner.session, { scopes: ['orders:read'] });
      const full = await create(owner.session);
      expect(full.info['scopes']).toEqual(['*']);
      expect((await edge(0).get('/api/v1/Orders', { token: readOrders.token })).status).toBe(200);
      expectError(await edge(1).post('/api/v1/Echo', { a: 1 }, { token: readOrders.token }), 403, 'FORBIDDEN', 'insufficient_scope');
      expectError(await edge(0).get('/api/v1/Echo', { token: readOrders.token }), 403, 'FORBIDDEN', 'insufficient_scope');
      expectError(await edge(1).call('DELETE', '/api/v1/Orders', undefined, { token: readOrders.token }), 403, 'FORBIDDEN', 'insufficient_scope');
      // A refused request uses no quota: no rate-limit headers were decided for it.
      const refused = await edge(0).get('/api/v1/Echo', { token: readOrders.token });
      expect(refused.headers.get('x-ratelimit-limit')).toBeNull();
      expect((await edge(0).get('/api/v1/Echo', { token: full.token })).status).toBe(200);
      const writeEcho = await create(owner.session, { scopes: ['echo:write'] });
      expect((await edge(1).post('/api/v1/Echo', { a: 1 }, { token: writeEcho.token })).status).toBe(200);
      expectError(await edge(1).get('/api/v1/Orders', { token: writeEcho.token }), 403, 'FORBIDDEN', 'insufficient_scope');
    });

    it('never carries more than the creator’s role: a developer cannot mint * or admin-only scopes (403 insufficient_role)', async () => {
      const developer = await member(owner, 'developer');
      expectError(await edge(0).post('/api/v1/tokens', { description: 'x', scopes: ['billing:read'] }, { token: developer }), 403, 'FORBIDDEN', 'insufficient_role');
      expectError(await edge(1).post('/api/v1/tokens', { description: 'x', scopes: ['*'] }, { token: developer }), 403, 'FORBIDDEN', 'insufficient_role');
      const dev = await create(developer);
      expect(dev.info['scopes']).toEqual(['echo:read', 'echo:write', 'orders:read', 'orders:write']);
      expect((await edge(0).get('/api/v1/Orders', { token: dev.token })).status).toBe(200);
      expectError(await edge(0).get('/api/v1/Billing', { token: dev.token }), 403, 'FORBIDDEN', 'insufficient_scope');
      const admin = await member(owner, 'admin');
      expect((await create(admin, { scopes: ['billing:read'] })).info['scopes']).toEqual(['billing:read']);
      const viewer = await member(owner, 'viewer');
      expectError(await edge(1).post('/api/v1/tokens', { description: 'x' }, { token: viewer }), 403, 'FORBIDDEN', 'insufficient_role');
      // An API token cannot manage tokens.
      expectError(await edge(0).get('/api/v1/tokens', { token: dev.token }), 403, 'FORBIDDEN', 'wrong_token_type');
      // A developer cannot rotate a token carrying more than a developer may grant.
      const adminToken = await create(owner.session, { scopes: ['billing:write'] });
      expectError(await edge(0).post(`/api/v1/tokens/${adminToken.id}/rotate`, {}, { token: developer }), 403, 'FORBIDDEN', 'insufficient_role');
    });

    it(`caps active tokens per business at TOKEN_MAX_ACTIVE_PER_BUSINESS=${CAP}: exactly, under concurrency, on two edges and two token instances`, async () => {
      const biz = await signUp(edge(0), smtp);
      const attempts = await Promise.all(
        Array.from({ length: CAP + 6 }, (_, i) => edge(i).post('/api/v1/tokens', { description: `t${i}` }, { token: biz.session })),
      );
      const created = attempts.filter((r) => r.status === 201);
      const refused = attempts.filter((r) => r.status !== 201);
      console.log(`[cap] ${attempts.length} concurrent creates with cap ${CAP}: ${created.length} created, ${refused.length} refused`);
      expect(created).toHaveLength(CAP);
      for (const r of refused) {
        expectError(r, 409, 'CONFLICT');
        expect(r.body.error.message).toMatch(new RegExp(`${CAP} active API tokens`));
      }
      const first = String(created[0]?.body.data.tokenInfo.id);
      expect((await edge(1).delete(`/api/v1/tokens/${first}`, { token: biz.session })).status).toBe(200);
      await create(biz.session);
      expectError(await edge(0).post('/api/v1/tokens', { description: 'over' }, { token: biz.session }), 409, 'CONFLICT');
    });
  });

  describe('3. get and list', () => {
    beforeAll(freshOwner);
    it('the token database holds a sha256 of the token and never the token or its signature', async () => {
      const t = await create(owner.session);
      const mongo = await mongoose.createConnection(infra.mongoUrl, { serverSelectionTimeoutMS: 20_000 }).asPromise();
      try {
        const db = mongo.useDb(`${namespace}_token`);
        const collections = (await db.listCollections()).map((c) => c.name);
        expect(collections).toContain('api_tokens');
        let dump = '';
        for (const name of collections) dump += JSON.stringify(await db.collection(name).find({}).toArray());
        expect(dump).not.toContain(t.token);
        expect(dump).not.toContain(t.token.split('.')[2]);
        const row = await db.collection('api_tokens').findOne({ _id: t.id as never });
        expect(row?.['tokenHash']).toBe(createHash('sha256').update(t.token, 'utf8').digest('hex'));
      } finally {
        await mongo.close();
      }
    });
    it('GET /api/v1/tokens/{id} shows every field; revoked tokens stay listable with revokedBy and the reason', async () => {
      const t = await create(owner.session, { description: 'to revoke' });
      const got = await edge(1).get(`/api/v1/tokens/${t.id}`, { token: owner.session });
      expect(got.status).toBe(200);
      expect(Object.keys(got.body.data).sort()).toEqual(
        [
          'callsSinceRotation',
          'createdAt',
          'createdBy',
          'description',
          'expiresAt',
          'graceEndsAt',
          'id',
          'lastUsedAt',
          'rateLimit',
          'revocationReason',
          'revokedAt',
          'revokedBy',
          'rotatedAt',
          'rotatedFrom',
          'rotatedTo',
          'scopes',
          'status',
        ].sort(),
      );
      expect(got.text).not.toContain(t.token);
      expectError(await edge(0).call('DELETE', `/api/v1/tokens/${t.id}`, { reason: '' }, { token: owner.session }), 400, 'VALIDATION_ERROR');
      expectError(await edge(0).call('DELETE', `/api/v1/tokens/${t.id}`, { reason: 'r'.repeat(201) }, { token: owner.session }), 400, 'VALIDATION_ERROR');
      expectError(await edge(0).call('DELETE', `/api/v1/tokens/${t.id}`, undefined, { token: owner.session, raw: '{"reason":' }), 400, 'INVALID_JSON');
      const revoked = await edge(0).call('DELETE', `/api/v1/tokens/${t.id}`, { reason: 'Leaked in a CI log' }, { token: owner.session });
      expect(revoked.status).toBe(200);
      expect(revoked.body.data).toMatchObject({ status: 'revoked', revokedBy: owner.userId, revocationReason: 'Leaked in a CI log' });
      // Idempotent: the first revocation (and its reason) is kept.
      const again = await edge(1).call('DELETE', `/api/v1/tokens/${t.id}`, { reason: 'other' }, { token: owner.session });
      expect(again.body.data).toEqual(revoked.body.data);
      const listed = await edge(1).get('/api/v1/tokens', { token: owner.session });
      expect(listed.body.data.find((x: { id: string }) => x.id === t.id)).toMatchObject({ status: 'revoked', revocationReason: 'Leaked in a CI log' });
    });

    it('unknown, malformed and other-business ids are 404 NOT_FOUND (GET, DELETE, rotate, activity); the other business’s token keeps working', async () => {
      const theirs = await create(other.session, { description: 'not yours' });
      const unknown = `tok_${'0'.repeat(26)}`;
      for (const id of [unknown, 'tok_short', 'not-a-token-id', theirs.id]) {
        expectError(await edge(0).get(`/api/v1/tokens/${id}`, { token: owner.session }), 404, 'NOT_FOUND');
        expectError(await edge(1).delete(`/api/v1/tokens/${id}`, { token: owner.session }), 404, 'NOT_FOUND');
        expectError(await edge(0).post(`/api/v1/tokens/${id}/rotate`, {}, { token: owner.session }), 404, 'NOT_FOUND');
        expectError(await edge(1).get(`/api/v1/tokens/${id}/activity`, { token: owner.session }), 404, 'NOT_FOUND');
      }
      expect((await edge(0).get('/api/v1/Orders', { token: theirs.token })).status).toBe(200);
      expect((await edge(1).get(`/api/v1/tokens/${theirs.id}`, { token: other.session })).body.data.status).toBe('active');
    });

    it('lastUsedAt is within a minute of the last call, written by the periodic flush (no write per request)', async () => {
      const t = await create(owner.session);
      const called = Date.now();
      for (let i = 0; i < 5; i++) expect((await edge(i).get('/api/v1/Orders', { token: t.token })).status).toBe(200);
      // Both token instances flush on their own timers, so a later flush may move lastUsedAt
      // forward between two reads: wait until GET and the list agree on one value.
      const lastUsedAt = await waitFor('lastUsedAt in GET and list alike', async () => {
        const res = await edge(1).get(`/api/v1/tokens/${t.id}`, { token: owner.session });
        const listed = await edge(0).get('/api/v1/tokens', { token: owner.session });
        const inList = listed.body.data.find((x: { id: string }) => x.id === t.id).lastUsedAt;
        return res.body.data.lastUsedAt && res.body.data.lastUsedAt === inList ? String(inList) : undefined;
      });
      expect(Math.abs(Date.parse(lastUsedAt) - called)).toBeLessThan(60_000);
    });
  });

  describe('8. expiry', () => {
    beforeAll(freshOwner);
    it('a token past its expiresAt gets 401 exactly like a revoked one, stays listed as expired, and the expiry is audited', async () => {
      const expiresAt = new Date(Date.now() + 2500).toISOString();
      const t = await create(owner.session, { expiresAt });
      expect((await edge(0).get('/api/v1/Orders', { token: t.token })).status).toBe(200);
      await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 50);
      for (const i of [0, 1]) {
        const res = await edge(i).get('/api/v1/Orders', { token: t.token });
        expect(res.status).toBe(401);
        expect(res.body).toEqual(unauthorizedEnvelope);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
      const listed = await edge(1).get('/api/v1/tokens', { token: owner.session });
      expect(listed.body.data.find((x: { id: string }) => x.id === t.id).status).toBe('expired');
      const actions = await waitFor('expiry audit', async () => {
        const res = await edge(0).get(`/api/v1/audit?tokenId=${t.id}`, { token: owner.session });
        const list: string[] = res.body.data.records.map((r: { action: string }) => r.action);
        return list.includes('token.expired') && list.includes('token.used_after_expiry') ? list : undefined;
      });
      expect(actions).toContain('token.created');
    });
  });

  describe('5. rotate', () => {
    beforeAll(freshOwner);
    it('issues a new token (same description and scopes); the old one works during the grace with callsSinceRotation, then 401', async () => {
      const old = await create(owner.session, { description: 'Warehouse sync', scopes: ['orders:read', 'echo:read'] });
      const rotated = await edge(1).post(`/api/v1/tokens/${old.id}/rotate`, { gracePeriodSeconds: 4 }, { token: owner.session });
      expect(rotated.status, rotated.text).toBe(201);
      expect(rotated.headers.get('cache-control')).toBe('no-store');
      const fresh = { token: String(rotated.body.data.token), id: String(rotated.body.data.tokenInfo.id) };
      expect(rotated.body.data.tokenInfo).toMatchObject({ description: 'Warehouse sync', scopes: ['echo:read', 'orders:read'], rotatedFrom: old.id, status: 'active' });
      expect(rotated.body.data.previous).toMatchObject({ id: old.id, status: 'active', rotatedTo: fresh.id, callsSinceRotation: 0 });
      for (let i = 0; i < 4; i++) expect((await edge(i).get('/api/v1/Orders', { token: old.token })).status).toBe(200);
      expect((await edge(0).get('/api/v1/Orders', { token: fresh.token })).status).toBe(200);
      const during = await waitFor('callsSinceRotation', async () => {
        const res = await edge(0).get(`/api/v1/tokens/${old.id}`, { token: owner.session });
        return res.body.data.callsSinceRotation === 4 ? res.body.data : undefined;
      });
      expect(during).toMatchObject({ rotatedTo: fresh.id, status: 'active' });
      expect(during.lastUsedAt).not.toBeNull();
      expectError(await edge(1).post(`/api/v1/tokens/${old.id}/rotate`, {}, { token: owner.session }), 409, 'CONFLICT');
      await sleep(Math.max(0, Date.parse(String(during.graceEndsAt)) - Date.now()) + 50);
      const after = await edge(1).get('/api/v1/Orders', { token: old.token });
      expect(after.status).toBe(401);
      expect(after.body).toEqual(unauthorizedEnvelope);
      expect((await edge(0).get('/api/v1/Orders', { token: fresh.token })).status).toBe(200);
      expect((await edge(0).get(`/api/v1/tokens/${old.id}`, { token: owner.session })).body.data.status).toBe('expired');
    });

    it('grace 0 revokes at once; ending a grace early is a revoke', async () => {
      const a = await create(owner.session);
      const now = await edge(0).post(`/api/v1/tokens/${a.id}/rotate`, { gracePeriodSeconds: 0 }, { token: owner.session });
      expect(now.body.data.previous.status).toBe('revoked');
      expect((await edge(1).get('/api/v1/Orders', { token: a.token })).status).toBe(401);
      expect((await edge(0).get('/api/v1/Orders', { token: String(now.body.data.token) })).status).toBe(200);

      const b = await create(owner.session);
      const long = await edge(1).post(`/api/v1/tokens/${b.id}/rotate`, undefined, { token: owner.session });
      expect(long.status).toBe(201);
      expect(Date.parse(long.body.data.previous.graceEndsAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000); // default 24 h
      expect((await edge(0).get('/api/v1/Orders', { token: b.token })).status).toBe(200);
      expect((await edge(0).delete(`/api/v1/tokens/${b.id}`, { token: owner.session })).status).toBe(200);
      expect((await edge(1).get('/api/v1/Orders', { token: b.token })).status).toBe(401);
      expect((await edge(1).get('/api/v1/Orders', { token: String(long.body.data.token) })).status).toBe(200);
      // A revoked token cannot be rotated.
      expectError(await edge(0).post(`/api/v1/tokens/${a.id}/rotate`, {}, { token: owner.session }), 409, 'CONFLICT');
    });

    it.each([
      ['more than 7 days', { gracePeriodSeconds: 7 * 86_400 + 1 }],
      ['negative', { gracePeriodSeconds: -1 }],
      ['fractional', { gracePeriodSeconds: 1.5 }],
      ['a string', { gracePeriodSeconds: '60' }],
      ['an unknown field', { grace: 60 }],
    ])('400 VALIDATION_ERROR for a grace period that is %s', async (_label, body) => {
      const t = await create(owner.session);
      expectError(await edge(0).post(`/api/v1/tokens/${t.id}/rotate`, body, { token: owner.session }), 400, 'VALIDATION_ERROR');
      expect((await edge(1).get(`/api/v1/tokens/${t.id}`, { token: owner.session })).body.data.rotatedTo).toBeNull();
    });
  });

  describe('7. audit and security emails', () => {
    beforeAll(freshOwner);
    it('records create / revoke / use-after-revocation with who, when, token id and client IP; pages newest first', async () => {
      const t = await create(owner.session, { description: 'audited' });
      await edge(0).delete(`/api/v1/tokens/${t.id}`, { token: owner.session });
      expect((await edge(1).get('/api/v1/Orders', { token: t.token })).status).toBe(401);
      expect((await edge(0).get('/api/v1/Orders', { token: t.token })).status).toBe(401);
      const records = await waitFor('audit records', async () => {
        const res = await edge(1).get(`/api/v1/audit?tokenId=${t.id}&limit=10`, { token: owner.session });
        expect(res.status).toBe(200);
        const recs = res.body.data.records as { id: string; at: string; action: string; count: number }[];
        const used = recs.filter((r) => r.action === 'token.used_after_revocation').reduce((n, r) => n + r.count, 0);
        return used >= 2 ? recs : undefined;
      });
      const byAction = (a: string) => records.find((r) => r.action === a);
      expect(byAction('token.created')).toMatchObject({ tokenId: t.id, actor: { type: 'user', id: owner.userId }, clientIp: '127.0.0.1' });
      expect(byAction('token.revoked')).toMatchObject({ tokenId: t.id, actor: { type: 'user', id: owner.userId }, clientIp: '127.0.0.1' });
      expect(byAction('token.used_after_revocation')).toMatchObject({
        tokenId: t.id,
        actor: { type: 'token', id: t.id },
        clientIp: '127.0.0.1',
        route: 'GET /api/v1/Orders',
      });
      const times = records.map((r) => Date.parse(r.at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      // Pagination: one record per page, following the cursor, gives the same list.
      const paged: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const res: ApiResponse = await edge(i).get(`/api/v1/audit?tokenId=${t.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: owner.session });
        paged.push(...res.body.data.records.map((r: { id: string }) => r.id));
        cursor = res.body.data.nextCursor;
        if (!cursor) break;
      }
      expect(paged).toEqual(records.map((r) => r.id));
      // The business-wide audit does not show another business's records.
      const mine = await edge(0).get('/api/v1/audit?limit=100', { token: owner.session });
      const theirs = await create(other.session);
      const otherAudit = await edge(1).get('/api/v1/audit?limit=100', { token: other.session });
      expect(otherAudit.body.data.records.some((r: { tokenId: string }) => r.tokenId === t.id)).toBe(false);
      expect(mine.body.data.records.some((r: { tokenId: string }) => r.tokenId === theirs.id)).toBe(false);
    });

    it.each([
      ['limit=0', 400, 'VALIDATION_ERROR'],
      ['limit=101', 400, 'VALIDATION_ERROR'],
      ['limit=abc', 400, 'VALIDATION_ERROR'],
      ['tokenId=tok_bad', 400, 'VALIDATION_ERROR'],
      ['cursor=not-ours', 400, 'VALIDATION_ERROR'],
      ['cursor=eHh4', 400, 'VALIDATION_ERROR'],
      ['unknown=1', 400, 'VALIDATION_ERROR'],
      ['limit=1&limit=2', 400, 'VALIDATION_ERROR'],
    ])('GET /api/v1/audit?%s → %i %s', async (query, status, code) => {
      expectError(await edge(0).get(`/api/v1/audit?${query}`, { token: owner.session }), status, code);
    });

    it('only owner/admin sessions read the audit: developer 403 insufficient_role, API token 403 wrong_token_type, none 401', async () => {
      const developer = await member(owner, 'developer');
      expectError(await edge(0).get('/api/v1/audit', { token: developer }), 403, 'FORBIDDEN', 'insufficient_role');
      const t = await create(owner.session);
      expectError(await edge(1).get('/api/v1/audit', { token: t.token }), 403, 'FORBIDDEN', 'wrong_token_type');
      const none = await edge(1).get('/api/v1/audit');
      expect(none.status).toBe(401);
      expect(none.body).toEqual(unauthorizedEnvelope);
    });

    it('mails the business owners a security notice when a token is created and when it is revoked', async () => {
      const biz = await signUp(edge(1), smtp);
      const t = await create(biz.session, { description: 'Mail me' });
      const createdMail = await smtp.waitFor(biz.email, (m) => m.subject.includes('new API token') && m.text.includes(t.id));
      expect(createdMail.text).toContain('Mail me');
      expect(createdMail.text).not.toContain(t.token);
      await edge(0).call('DELETE', `/api/v1/tokens/${t.id}`, { reason: 'rotating vendors' }, { token: biz.session });
      const revokedMail = await smtp.waitFor(biz.email, (m) => m.subject.includes('revoked') && m.text.includes(t.id));
      expect(revokedMail.text).toContain('rotating vendors');
    });
  });

  describe('10. forensics', () => {
    beforeAll(freshOwner);
    it('GET /api/v1/tokens/{id}/activity: calls by route, status and client IP over time, including attempts after revocation', async () => {
      const t = await create(owner.session, { scopes: ['orders:read'] });
      for (let i = 0; i < 3; i++) expect((await edge(i).get('/api/v1/Orders', { token: t.token })).status).toBe(200);
      expect((await edge(0).get('/api/v1/Echo', { token: t.token })).status).toBe(403);
      await edge(1).delete(`/api/v1/tokens/${t.id}`, { token: owner.session });
      for (let i = 0; i < 2; i++) expect((await edge(i).get('/api/v1/Orders', { token: t.token })).status).toBe(401);
      const activity = await waitFor('activity', async () => {
        const res = await edge(0).get(`/api/v1/tokens/${t.id}/activity`, { token: owner.session });
        expect(res.status).toBe(200);
        return res.body.data.totalCalls === 6 ? res.body.data : undefined;
      });
      const sum = (pred: (b: { route: string; status: number; method: string; ip: string }) => boolean) =>
        (activity.buckets as { route: string; status: number; method: string; ip: string; count: number }[]).filter(pred).reduce((n, b) => n + b.count, 0);
      expect(sum((b) => b.route === '/api/v1/Orders' && b.status === 200 && b.method === 'GET')).toBe(3);
      expect(sum((b) => b.route === '/api/v1/Echo' && b.status === 403)).toBe(1);
      expect(sum((b) => b.route === '/api/v1/Orders' && b.status === 401)).toBe(2);
      expect(sum((b) => b.ip === '127.0.0.1')).toBe(6);
      for (const b of activity.buckets as { minute: string }[]) expect(b.minute).toMatch(/:00\.000Z$/);
      // A window before the calls is empty.
      const before = await edge(1).get(
        `/api/v1/tokens/${t.id}/activity?from=${new Date(Date.now() - 7200_000).toISOString()}&to=${new Date(Date.now() - 3600_000).toISOString()}`,
        { token: owner.session },
      );
      expect(before.body.data).toMatchObject({ totalCalls: 0, buckets: [] });
    });

    it.each([
      ['from after to', () => `from=${new Date().toISOString()}&to=${new Date(Date.now() - 60_000).toISOString()}`],
      ['malformed from', () => 'from=yesterday'],
      ['a range over 31 days', () => `from=2020-01-01T00:00:00Z&to=2020-03-01T00:00:00Z`],
      ['an unknown parameter', () => 'since=1'],
    ])('activity with %s → 400 VALIDATION_ERROR', async (_label, query) => {
      const t = await create(owner.session);
      expectError(await edge(0).get(`/api/v1/tokens/${t.id}/activity?${query()}`, { token: owner.session }), 400, 'VALIDATION_ERROR');
    });
  });

  describe('6. the Orders upstream verifies the token itself (@dispatch/auth-client over NATS)', () => {
    beforeAll(freshOwner);
    it('answers with verifiedBy token-service through the edge; refuses forged principal headers sent to it directly', async () => {
      const t = await create(owner.session);
      const viaEdge = await edge(1).get('/api/v1/Orders', { token: t.token });
      expect(viaEdge.body.data.principal).toMatchObject({ businessId: owner.businessId, tokenId: t.id, verifiedBy: 'token-service' });
      const direct = new Api(mesh.upstreamUrl);
      const forged = { 'x-dispatch-business-id': owner.businessId, 'x-dispatch-token-id': t.id };
      expectError(await direct.get('/api/v1/Orders', { headers: forged }), 401, 'UNAUTHORIZED');
      expectError(await direct.get('/api/v1/Orders', { headers: forged, token: 'a.b.c' }), 401, 'UNAUTHORIZED');
      // A valid token of another business does not vouch for these headers.
      const theirs = await create(other.session);
      expectError(await direct.get('/api/v1/Orders', { headers: forged, token: theirs.token }), 401, 'UNAUTHORIZED');
      expect((await direct.get('/api/v1/Orders', { headers: forged, token: t.token })).status).toBe(200);
      // Revoked is revoked for the upstream too.
      await edge(0).delete(`/api/v1/tokens/${t.id}`, { token: owner.session });
      expectError(await direct.get('/api/v1/Orders', { headers: forged, token: t.token }), 401, 'UNAUTHORIZED');
    });
  });

  describe('4. revocation is immediate on every instance', () => {
    beforeAll(freshOwner);
    it('≥ 200 revocations: after each DELETE returns, the token fails on a random edge (0 successes)', async () => {
      const biz = await signUp(edge(0), smtp);
      const ROUNDS = 200;
      const WORKERS = 4;
      let revocations = 0;
      let checks = 0;
      let successes = 0;
      const statuses = new Map<number, number>();
      let next = 0;
      const worker = async () => {
        while (next < ROUNDS) {
          next++;
          const created = await randomEdge().post('/api/v1/tokens', { description: 'race' }, { token: biz.session });
          expect(created.status, created.text).toBe(201);
          const token = String(created.body.data.token);
          const id = String(created.body.data.tokenInfo.id);
          // Warm: the token works on some edge, through some token instance.
          expect((await randomEdge().get('/api/v1/Orders', { token })).status).toBe(200);
          const revoked = await randomEdge().delete(`/api/v1/tokens/${id}`, { token: biz.session });
          expect(revoked.status).toBe(200);
          revocations++;
          for (const api of [randomEdge(), randomEdge()]) {
            const res = await api.get('/api/v1/Orders', { token });
            checks++;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status < 400) successes++;
          }
        }
      };
      const started = Date.now();
      await Promise.all(Array.from({ length: WORKERS }, worker));
      console.log(
        `[revocation] ${revocations} revocations over ${edges.length} edges x 2 token instances, ${checks} requests after DELETE returned: ` +
          `${successes} succeeded; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${Date.now() - started} ms`,
      );
      expect(revocations).toBeGreaterThanOrEqual(200);
      expect(successes).toBe(0);
      expect(Object.fromEntries(statuses)).toEqual({ 401: checks });
    }, 180_000);
  });

  describe('2. keys from configuration', () => {
    // Reuses the previous section's owner: no sign-up mail behind the race's 400 security notices.
    it('a token keeps working after both token-service instances restart (keys come from TOKEN_SIGNING_KEYS)', async () => {
      const t = await create(owner.session);
      expect((await edge(0).get('/api/v1/Orders', { token: t.token })).status).toBe(200);
      await mesh.restartProcess('token', 0);
      await mesh.restartProcess('token', 1);
      for (const i of [0, 1, 2, 3]) expect((await edge(i).get('/api/v1/Orders', { token: t.token })).status).toBe(200);
      const fresh = await create(owner.session);
      expect((await edge(1).get('/api/v1/Orders', { token: fresh.token })).status).toBe(200);
    });

    it('the token service refuses to start without TOKEN_SIGNING_KEYS (exits non-zero, never generates a key)', async () => {
      const proc = mesh.find('token', 0);
      const { TOKEN_SIGNING_KEYS: _omit, ...env } = proc.env;
      const child = spawn(process.execPath, [resolve(repoRoot, 'services/token/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(output).toContain('TOKEN_SIGNING_KEYS');
      expect(output).not.toContain('"msg":"ready"');
    });
  });

  describe('9. strings that cannot be our tokens are refused at the edge without any call', () => {
    // Reuses the previous section's owner: no sign-up mail behind the race's 400 security notices.
    const head = (obj: unknown) => base64url.encode(JSON.stringify(obj));
    const signed = async (kid: string) =>
      new SignJWT({ typ: 'api', bid: `biz_${'a'.repeat(26)}`, jti: 'x'.repeat(16) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
        .setSubject(`tok_${'a'.repeat(26)}`)
        .sign(randomBytes(32));
    const cases: [string, () => Promise<string>][] = [
      ['not three base64url parts', async () => 'Bearer not-a-token'],
      ['four parts', async () => 'Bearer a.b.c.d'],
      ['wrong alg (none)', async () => `Bearer ${head({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${head({ typ: 'api' })}.sig`],
      ['wrong alg (HS512)', async () => `Bearer ${head({ alg: 'HS512', typ: 'JWT', kid: 'k1' })}.${head({ typ: 'api' })}.sig`],
      ['unknown kid', async () => `Bearer ${await signed('not-our-kid')}`],
      ['oversized', async () => `Bearer ${'a'.repeat(3000)}.b.c`],
      ['header not JSON', async () => 'Bearer e30x.e30.sig'],
    ];

    it('401 for each with every token-service instance stopped (a call would have been 503); a well-formed token with a known kid is 503', async () => {
      // While the token service runs, an unknown kid is already 401.
      expect((await edge(0).get('/api/v1/Orders', { headers: { authorization: `Bearer ${await signed('not-our-kid')}` } })).status).toBe(401);
      await mesh.stopProcess('token', 0);
      await mesh.stopProcess('token', 1);
      try {
        for (const [label, header] of cases) {
          for (const i of [0, 1]) {
            const res = await edge(i).get('/api/v1/Orders', { headers: { authorization: await header() } });
            expect({ label, status: res.status, body: res.body }).toEqual({ label, status: 401, body: unauthorizedEnvelope });
          }
        }
        // The control: a string that could be ours must ask the token service, which is down.
        const ours = await edge(0).get('/api/v1/Orders', { headers: { authorization: `Bearer ${await signed('k1')}` } });
        expectError(ours, 503, 'SERVICE_UNAVAILABLE');
      } finally {
        await mesh.launch(mesh.find('token', 0));
        await mesh.launch(mesh.find('token', 1));
      }
      const t = await create(owner.session);
      expect((await edge(1).get('/api/v1/Orders', { token: t.token })).status).toBe(200);
    });
  });
});
