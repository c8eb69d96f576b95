import { SignJWT, base64url } from 'jose';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenFromMail, type SmtpSink } from '@dispatch/testkit';
import { Api, unauthorizedEnvelope } from './http-client.js';

export interface FlowTarget {
  edgeUrl: string;
  smtp: SmtpSink;
  /** Every log line written so far (to assert no secret leaked), when the target can tell. */
  logs?: () => string;
}

const password = 'correct horse battery staple';
const email = (tag: string) => `${tag}.${Date.now()}.${Math.random().toString(36).slice(2, 7)}@Example.COM`;

async function registerAndLogin(api: Api, smtp: SmtpSink, address: string) {
  const reg = await api.post('/api/user/register', {
    email: address,
    password,
    confirmPassword: password,
    firstName: 'John',
    lastName: 'Doe',
    acceptedTerms: true,
  });
  expect(reg.status).toBe(202);
  expect(reg.body.success).toBe(true);
  const normalised = address.trim().toLowerCase();
  const mail = await smtp.waitFor(normalised, (m) => /verify/i.test(m.subject));
  const verificationToken = tokenFromMail(mail);
  const verified = await api.post('/api/user/verify', { token: verificationToken });
  expect(verified.status).toBe(200);
  expect(verified.body).toEqual({ success: true, data: { verified: true, email: normalised } });
  const login = await api.post('/api/user/login', { email: address, password });
  expect(login.status).toBe(200);
  return { session: String(login.body.data.token), login: login.body.data, verificationToken, email: normalised };
}

/** The guide's main flow, run against any target (the real mesh, the embedded default). */
export function describeMainFlow(name: string, target: () => FlowTarget): void {
  describe(`${name}: register → verify → login → API token → Orders → revoke`, () => {
    it('the edge serves the Management Portal on the same port, with its CSP; email links open its pages', async () => {
      const { edgeUrl, smtp } = target();
      for (const page of ['/register', '/verify', '/login', '/settings/api-access']) {
        const res = await fetch(`${edgeUrl}${page}`);
        expect(res.status, page).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(res.headers.get('set-cookie')).toBeNull();
      }
      expect((await fetch(`${edgeUrl}/assets/main.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
      const address = email('portal').trim().toLowerCase();
      const api = new Api(edgeUrl);
      await api.post('/api/user/register', { email: address, password, confirmPassword: password, firstName: 'P', lastName: 'Q', acceptedTerms: true });
      const mail = await smtp.waitFor(address, (m) => /verify/i.test(m.subject));
      expect(mail.text).toMatch(/^https?:\/\/\S+\/verify#token=\S+$/m);
    });

    it('runs the whole flow as a client calls it', async () => {
      const { edgeUrl, smtp } = target();
      const api = new Api(edgeUrl);
      const owner = await registerAndLogin(api, smtp, email('  Owner'));

      // Session: a JWT with its expiry.
      expect(owner.session).toMatch(/^eyJhbGciOiJIUzI1NiIs[\w-]*\.[\w-]+\.[\w-]+$/);
      expect(owner.login.tokenType).toBe('Bearer');
      expect(Date.parse(owner.login.expiresAt)).toBeGreaterThan(Date.now());
      expect(owner.login.user.role).toBe('owner');

      // The verification token works once.
      const again = await api.post('/api/user/verify', { token: owner.verificationToken });
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('VERIFICATION_TOKEN_USED');

      const me = await api.get('/api/user/me', { token: owner.session });
      expect(me.status).toBe(200);
      expect(me.body.data.user.email).toBe(owner.email);
      expect(me.body.data.role).toBe('owner');

      // Generate an API token: shown once, looks like the guide's.
      const created = await api.post('/api/v1/tokens', { description: '  Orders sync  ' }, { token: owner.session });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      const apiToken = String(created.body.data.token);
      const tokenId = String(created.body.data.tokenInfo.id);
      expect(apiToken).toMatch(/^eyJhbGciOiJIUzI1NiIs/);
      expect(tokenId).toMatch(/^tok_/);
      expect(created.body.data.tokenInfo.description).toBe('Orders sync');

      // Listing never shows the secret.
      const list = await api.get('/api/v1/tokens', { token: owner.session });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(apiToken);
      expect(list.text).not.toContain(apiToken.split('.')[2]);
      const row = list.body.data.find((t: { id: string }) => t.id === tokenId);
      expect(row).toMatchObject({ id: tokenId, description: 'Orders sync', status: 'active', lastUsedAt: null });
      expect(Date.parse(row.createdAt)).toBeGreaterThan(Date.now() - 60_000);

      // The guide's example request, with a forged principal header that must be stripped.
      const before = Math.floor(Date.now() / 1000);
      const orders = await api.get('/api/v1/Orders', {
        token: apiToken,
        headers: { 'X-Dispatch-Business-Id': 'biz_forged', 'x-dispatch-token-id': 'tok_forged' },
      });
      expect(orders.status).toBe(200);
      expect(orders.body.success).toBe(true);
      expect(orders.body.data.orders.length).toBeGreaterThan(0);
      expect(orders.body.data.principal.businessId).toBe(owner.login.user.businessId);
      expect(orders.body.data.principal.tokenId).toBe(tokenId);
      const limit = Number(orders.headers.get('x-ratelimit-limit'));
      const remaining = Number(orders.headers.get('x-ratelimit-remaining'));
      const reset = Number(orders.headers.get('x-ratelimit-reset'));
      expect(limit).toBeGreaterThan(0);
      expect(remaining).toBe(limit - 1);
      expect(reset).toBeGreaterThanOrEqual(before);
      expect(reset).toBeLessThan(before + 24 * 3600 + 5); // epoch seconds, not a duration
      expect(reset).toBeGreaterThan(1_700_000_000);

      // A session token is not an API token.
      const withSession = await api.get('/api/v1/Orders', { token: owner.session });
      expect(withSession.status).toBe(403);
      expect(withSession.body.error.code).toBe('FORBIDDEN');

      // An API token cannot manage tokens.
      const managed = await api.get('/api/v1/tokens', { token: apiToken });
      expect(managed.status).toBe(403);
      expect(managed.body.success).toBe(false);
      expect(managed.body.error.code).toBe('FORBIDDEN');

      // Revoke: the next request with that token is 401 in the guide's envelope.
      const revoked = await api.delete(`/api/v1/tokens/${tokenId}`, { token: owner.session });
      expect(revoked.status).toBe(200);
      expect(revoked.body.data.status).toBe('revoked');
      const after = await api.get('/api/v1/Orders', { token: apiToken });
      expect(after.status).toBe(401);
      expect(after.body).toEqual(unauthorizedEnvelope);
      const listed = await api.get('/api/v1/tokens', { token: owner.session });
      expect(listed.body.data.find((t: { id: string }) => t.id === tokenId).status).toBe('revoked');

      // Logout ends the session at once.
      const out = await api.post('/api/user/logout', undefined, { token: owner.session });
      expect(out.status).toBe(200);
      const afterLogout = await api.get('/api/user/me', { token: owner.session });
      expect(afterLogout.status).toBe(401);
      expect(afterLogout.body).toEqual(unauthorizedEnvelope);

      const logs = target().logs?.();
      if (logs !== undefined) {
        for (const secret of [apiToken, owner.session, owner.verificationToken, password]) expect(logs).not.toContain(secret);
      }
    });

    it('gives a viewer 403 FORBIDDEN on token management', async () => {
      const { edgeUrl, smtp } = target();
      const api = new Api(edgeUrl);
      const owner = await registerAndLogin(api, smtp, email('boss'));
      const viewerEmail = email('viewer').toLowerCase();
      const invite = await api.post('/api/v1/members', { email: viewerEmail, role: 'viewer' }, { token: owner.session });
      expect(invite.status).toBe(201);
      const mail = await smtp.waitFor(viewerEmail, (m) => m.text.includes('invite'));
      const accepted = await api.post('/api/user/invite/accept', {
        token: tokenFromMail(mail),
        password,
        confirmPassword: password,
        firstName: 'Vera',
        lastName: 'Viewer',
      });
      expect(accepted.status).toBe(201);
      expect(accepted.body.data.role).toBe('viewer');
      const login = await api.post('/api/user/login', { email: viewerEmail, password });
      expect(login.status).toBe(200);
      const viewer = String(login.body.data.token);
      const create = await api.post('/api/v1/tokens', { description: 'nope' }, { token: viewer });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('FORBIDDEN');
      expect(create.body.error.details.reason).toBe('insufficient_role');
      const list = await api.get('/api/v1/tokens', { token: viewer });
      expect(list.status).toBe(403);
      expect(list.body.error.code).toBe('FORBIDDEN');
    });

    describe('rejects bad tokens with 401 in the envelope', () => {
      const header = (obj: unknown) => base64url.encode(JSON.stringify(obj));
      const cases: [string, () => Promise<Record<string, string>>][] = [
        ['missing header', async () => ({})],
        ['wrong scheme', async () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
        ['Bearer without token', async () => ({ authorization: 'Bearer' })],
        ['Bearer with spaces', async () => ({ authorization: 'Bearer a b c' })],
        ['garbage token', async () => ({ authorization: 'Bearer not-a-token' })],
        ['three garbage parts', async () => ({ authorization: 'Bearer abc.def.ghi' })],
        ['oversized token', async () => ({ authorization: `Bearer ${'a'.repeat(3000)}.b.c` })],
        [
          'alg none',
          async () => ({
            authorization: `Bearer ${header({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${header({ typ: 'api', sub: 'tok_x' })}.`,
          }),
        ],
        [
          'alg none with a fake signature',
          async () => ({
            authorization: `Bearer ${header({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${header({ typ: 'api', sub: 'tok_x' })}.c2ln`,
          }),
        ],
        [
          'signed with another key',
          async () => ({
            authorization: `Bearer ${await new SignJWT({ typ: 'api', bid: 'biz_x', jti: 'x' })
              .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'k1' })
              .setSubject('tok_00000000000000000000000000')
              .sign(randomBytes(32))}`,
          }),
        ],
        [
          'HS512 token',
          async () => ({
            authorization: `Bearer ${await new SignJWT({ typ: 'api' }).setProtectedHeader({ alg: 'HS512', kid: 'k1' }).sign(randomBytes(64))}`,
          }),
        ],
      ];
      for (const [label, headers] of cases) {
        it(label, async () => {
          const api = new Api(target().edgeUrl);
          const res = await api.get('/api/v1/Orders', { headers: await headers() });
          expect(res.status).toBe(401);
          expect(res.body).toEqual(unauthorizedEnvelope);
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
        });
      }
    });

    it('refuses a real token re-signed with another key under its own kid and claims (the signature is checked, not only the kid)', async () => {
      const { edgeUrl, smtp } = target();
      const api = new Api(edgeUrl);
      const owner = await registerAndLogin(api, smtp, email('resign'));
      const created = await api.post('/api/v1/tokens', { description: 'genuine' }, { token: owner.session });
      expect(created.status).toBe(201);
      const genuine = String(created.body.data.token);
      const [protectedHeader, payload] = genuine.split('.') as [string, string, string];
      const decodedHeader = JSON.parse(new TextDecoder().decode(base64url.decode(protectedHeader))) as Record<string, string>;
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
      expect(decodedHeader['kid']).toBeTruthy();
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: decodedHeader['typ'] ?? 'JWT', kid: decodedHeader['kid']! })
        .sign(randomBytes(32));
      expect(forged.split('.')[1]).toBe(payload);
      const refused = await api.get('/api/v1/Orders', { token: forged });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(unauthorizedEnvelope);
      const accepted = await api.get('/api/v1/Orders', { token: genuine });
      expect(accepted.status).toBe(200);
    });

    describe('bad input to /api/user/register gets the right status and envelope', () => {
      const good = { email: 'x@example.com', password, confirmPassword: password, firstName: 'A', lastName: 'B', acceptedTerms: true };
      const cases: [string, { raw?: string; body?: unknown; headers?: Record<string, string> }, number, string][] = [
        ['malformed JSON', { raw: '{"email":' }, 400, 'INVALID_JSON'],
        ['empty body', { raw: '' , headers: { 'content-type': 'application/json' } }, 400, 'VALIDATION_ERROR'],
        ['wrong content type', { raw: 'email=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['body over the limit', { body: { ...good, firstName: 'x'.repeat(20_000) } }, 413, 'PAYLOAD_TOO_LARGE'],
        ['array body', { raw: '[1,2]' }, 400, 'VALIDATION_ERROR'],
        ['passwords differ', { body: { ...good, confirmPassword: 'something else' } }, 400, 'VALIDATION_ERROR'],
        ['terms not accepted', { body: { ...good, acceptedTerms: false } }, 400, 'VALIDATION_ERROR'],
        ['privileged field', { body: { ...good, role: 'owner' } }, 400, 'VALIDATION_ERROR'],
        ['bad email', { body: { ...good, email: 'not-an-email' } }, 400, 'VALIDATION_ERROR'],
      ];
      for (const [label, input, status, code] of cases) {
        it(label, async () => {
          const api = new Api(target().edgeUrl);
          const res = await api.call('POST', '/api/user/register', input.body, { raw: input.raw, headers: input.headers });
          expect(res.status).toBe(status);
          expect(res.body.success).toBe(false);
          expect(res.body.error.code).toBe(code);
          const health = await api.get('/healthz');
          expect(health.status).toBe(200);
        });
      }
    });

    it('answers unknown routes with 404 in the envelope', async () => {
      const res = await new Api(target().edgeUrl).get('/api/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });
}
