import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEnv, startEmbedded, type Embedded } from '@dispatch/embedded';
import { SmtpSink, uniqueNamespace } from '@dispatch/testkit';
import { createApiToken, signUp } from './accounts-fixture.js';
import { Api } from './http-client.js';
import { Receiver } from './webhook-receiver.js';

/* The alert features in the embedded default: in-memory bus, stores and delivery records, same code. */

let smtp: SmtpSink;
let app: Embedded;
let api: Api;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  smtp = await SmtpSink.start();
  app = await startEmbedded(
    EmbeddedEnv.parse({ EDGE_PORT: '0', SMTP_URL: smtp.url, DISPATCH_NAMESPACE: uniqueNamespace('emba'), LOG_LEVEL: 'silent', ALERT_RATE_SPIKE_FACTOR: '7', NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: 'true' }),
  );
  api = new Api(app.edgeUrl);
});

afterAll(async () => {
  await app?.stop();
  await smtp?.stop();
});

describe('alerts in the embedded default', () => {
  it('defaults from the environment; a revoked token in use: one alert, email and signed webhook', async () => {
    const owner = await signUp(api, smtp);
    const settings = await api.get('/api/v1/alerts/settings', { token: owner.session });
    expect(settings.body.data.settings.rateSpikeFactor).toBe(7);

    // The default refuses private targets (SSRF guard); this app allows them for the local receiver.
    const receiver = await new Receiver().start();
    try {
      const registered = await api.call('PUT', '/api/v1/alerts/webhook', { url: receiver.url }, { token: owner.session });
      expect(registered.status, registered.text).toBe(201);
      receiver.secret = String(registered.body.data.secret);
      const token = await createApiToken(api, owner.session, 'embedded leak');
      expect((await api.delete(`/api/v1/tokens/${token.id}`, { token: owner.session })).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await api.get('/api/v1/Orders', { token: token.token })).status).toBe(401);

      // the edge publishes usage every 5 s in the embedded default
      const mail = await smtp.waitFor(owner.email, (m) => /Security alert/.test(m.subject), 20_000);
      expect(mail.text).toContain(token.id);
      const deadline = Date.now() + 10_000;
      while (receiver.calls.length === 0 && Date.now() < deadline) await sleep(100);
      await sleep(1_000);
      expect(receiver.calls).toHaveLength(1);
      const call = receiver.calls[0];
      expect(call && receiver.verifies(call)).toBe(true);
      const listed = await api.get('/api/v1/alerts', { token: owner.session });
      expect(listed.body.data).toEqual([expect.objectContaining({ kind: 'token.invalid_use', tokenId: token.id })]);
    } finally {
      await receiver.stop();
    }
  });
});
