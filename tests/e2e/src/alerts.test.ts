import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { TEST_PASSWORD, createApiToken, signUp, uniqueEmail } from './accounts-fixture.js';
import { Api, type ApiResponse } from './http-client.js';
import { Receiver } from './webhook-receiver.js';

/*
 * Issue #5 over the real mesh (each service its own process; TWO notification instances):
 * exactly-once emails across a notification outage, suspicious-activity alerts raised from the
 * edge's usage events, delivered as a security email and a signed webhook, and the alert API.
 */

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;
let api: Api;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
  mesh = await Mesh.start({
    infra,
    namespace: uniqueNamespace('alr'),
    smtpUrl: smtp.url,
    instances: { notification: 2 },
    // The webhook receiver listens on 127.0.0.1: allow private targets here (refused by default).
    env: { EDGE_USAGE_FLUSH_MS: '300', BUS_TIMEOUT_MS: '20000', RATE_LIMIT_DEFAULT_LIMIT: '1000000', NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: 'true' },
  });
  const url = mesh.edgeUrls[0];
  if (!url) throw new Error('no edge');
  api = new Api(url);
});

afterAll(async () => {
  await mesh?.stop();
  await smtp?.stop();
  await infra?.stop();
});

const put = (path: string, body: unknown, token?: string): Promise<ApiResponse> => api.call('PUT', path, body, token === undefined ? {} : { token });
const expectError = (res: ApiResponse, status: number, code: string) =>
  expect({ status: res.status, success: res.body?.success, code: res.body?.error?.code }, res.text).toEqual({ status, success: false, code });

describe('notification outage (issue 5)', () => {
  it('notification stopped, five users register and a token is revoked, notification started: each email exactly once', async () => {
    const owner = await signUp(api, smtp);
    const token = await createApiToken(api, owner.session, 'outage');
    await smtp.waitFor(owner.email, (m) => /new API token/.test(m.subject));

    await mesh.stopProcess('notification', 0);
    await mesh.stopProcess('notification', 1);
    const users = Array.from({ length: 5 }, (_, i) => uniqueEmail(`outage${i}`));
    for (const email of users) {
      const res = await api.post('/api/user/register', { email, password: TEST_PASSWORD, confirmPassword: TEST_PASSWORD, firstName: 'Out', lastName: 'Age', acceptedTerms: true });
      expect(res.status, res.text).toBe(202);
    }
    const revoked = await api.delete(`/api/v1/tokens/${token.id}`, { token: owner.session });
    expect(revoked.status, revoked.text).toBe(200);
    await sleep(500);
    for (const email of users) expect(smtp.to(email)).toHaveLength(0);

    await Promise.all([mesh.launch(mesh.find('notification', 0)), mesh.launch(mesh.find('notification', 1))]);
    for (const email of users) await smtp.waitFor(email, (m) => /verify/i.test(m.subject), 30_000);
    await smtp.waitFor(owner.email, (m) => /was revoked/.test(m.subject), 30_000);
    // Bounded wait for any duplicate (redeliveries run within a few seconds).
    await sleep(4_000);
    for (const email of users) expect(smtp.to(email), email).toHaveLength(1);
    const ownerMails = smtp.to(owner.email).map((m) => m.subject);
    expect(ownerMails.filter((s) => /verify/i.test(s))).toHaveLength(1);
    expect(ownerMails.filter((s) => /new API token/.test(s))).toHaveLength(1);
    expect(ownerMails.filter((s) => /was revoked/.test(s))).toHaveLength(1);
  });
});

describe('suspicious-activity alerts over the mesh', () => {
  it('a revoked token still used: one alert, one security email, one signed webhook call; listed for the owner', async () => {
    const owner = await signUp(api, smtp);
    const receiver = await new Receiver().start();
    try {
      const registered = await put('/api/v1/alerts/webhook', { url: receiver.url }, owner.session);
      expect(registered.status, registered.text).toBe(201);
      expect(registered.headers.get('cache-control')).toBe('no-store');
      receiver.secret = String(registered.body.data.secret);
      expect(receiver.secret).toMatch(/^whsec_/);
      const shown = await api.get('/api/v1/alerts/webhook', { token: owner.session });
      expect(shown.status).toBe(200);
      expect(shown.body.data).toEqual({ url: receiver.url, createdAt: registered.body.data.createdAt });

      const token = await createApiToken(api, owner.session, 'leaked');
      expect((await api.get('/api/v1/Orders', { token: token.token })).status).toBe(200);
      expect((await api.delete(`/api/v1/tokens/${token.id}`, { token: owner.session })).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await api.get('/api/v1/Orders', { token: token.token })).status).toBe(401);

      const deadline = Date.now() + 20_000;
      while (receiver.calls.length === 0 && Date.now() < deadline) await sleep(100);
      const mail = await smtp.waitFor(owner.email, (m) => /Security alert/.test(m.subject), 20_000);
      expect(mail.text).toContain(token.id);
      await sleep(3_000);
      expect(receiver.calls).toHaveLength(1);
      const call = receiver.calls[0];
      if (!call) throw new Error('no webhook call');
      expect(receiver.verifies(call)).toBe(true);
      const body = JSON.parse(call.body) as { id: string; type: string; data: Record<string, unknown> };
      expect(body.id).toBe(call.eventId);
      expect(body).toMatchObject({ type: 'alert.raised', data: { kind: 'token.invalid_use', tokenId: token.id, businessId: owner.businessId, details: { reason: 'revoked' } } });
      expect(smtp.to(owner.email).filter((m) => /Security alert/.test(m.subject))).toHaveLength(1);

      const listed = await api.get('/api/v1/alerts', { token: owner.session });
      expect(listed.status).toBe(200);
      expect(listed.body.data).toEqual([expect.objectContaining({ kind: 'token.invalid_use', tokenId: token.id, alertId: body.data['alertId'] })]);
      // never the webhook secret in any log
      expect(mesh.allLogs()).not.toContain(receiver.secret);
    } finally {
      await receiver.stop();
    }
  });

  it('alert settings and webhook API: defaults, validated changes, errors with exact status and code', async () => {
    const owner = await signUp(api, smtp);
    const initial = await api.get('/api/v1/alerts/settings', { token: owner.session });
    expect(initial.status).toBe(200);
    expect(initial.body.data).toMatchObject({ customized: false, updatedAt: null, settings: { enabled: true, rateSpikeFactor: 10, unauthorizedBurstMin: 50 } });

    const changed = await put('/api/v1/alerts/settings', { rateSpikeFactor: 4, ipSpreadMinDistinct: 20 }, owner.session);
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.data).toMatchObject({ customized: true, settings: { rateSpikeFactor: 4, ipSpreadMinDistinct: 20, baselineMinutes: 60 } });
    expect((await api.get('/api/v1/alerts/settings', { token: owner.session })).body.data.settings.rateSpikeFactor).toBe(4);

    expectError(await put('/api/v1/alerts/settings', { rateSpikeFactor: 1 }, owner.session), 400, 'VALIDATION_ERROR');
    expectError(await put('/api/v1/alerts/settings', { baselineMinutes: 1.5 }, owner.session), 400, 'VALIDATION_ERROR');
    expectError(await put('/api/v1/alerts/settings', { madeUp: true }, owner.session), 400, 'VALIDATION_ERROR');
    expectError(await api.call('PUT', '/api/v1/alerts/settings', undefined, { token: owner.session, raw: '{nope', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_JSON');
    expectError(await put('/api/v1/alerts/settings', { enabled: false }), 401, 'UNAUTHORIZED');
    expect((await api.get('/api/v1/alerts', { token: owner.session })).body).toEqual({ success: true, data: [] });
    expectError(await api.get('/api/v1/alerts?limit=0', { token: owner.session }), 400, 'VALIDATION_ERROR');
    expectError(await api.get('/api/v1/alerts?since=yesterday', { token: owner.session }), 400, 'VALIDATION_ERROR');
    expectError(await api.get('/api/v1/alerts'), 401, 'UNAUTHORIZED');

    const token = await createApiToken(api, owner.session, 'not for the account');
    const withApiToken = await api.get('/api/v1/alerts/settings', { token: token.token });
    expectError(withApiToken, 403, 'FORBIDDEN');
    expect(withApiToken.body.error.details.reason).toBe('wrong_token_type');

    expectError(await api.get('/api/v1/alerts/webhook', { token: owner.session }), 404, 'NOT_FOUND');
    expectError(await put('/api/v1/alerts/webhook', { url: 'ftp://hooks.example.com' }, owner.session), 400, 'VALIDATION_ERROR');
    expectError(await put('/api/v1/alerts/webhook', { url: 'https://u:p@hooks.example.com' }, owner.session), 400, 'VALIDATION_ERROR');
    expectError(await put('/api/v1/alerts/webhook', {}, owner.session), 400, 'VALIDATION_ERROR');
    expect((await put('/api/v1/alerts/webhook', { url: 'https://hooks.example.com/x' }, owner.session)).status).toBe(201);
    expect((await api.delete('/api/v1/alerts/webhook', { token: owner.session })).status).toBe(200);
    expectError(await api.delete('/api/v1/alerts/webhook', { token: owner.session }), 404, 'NOT_FOUND');
  });
});
