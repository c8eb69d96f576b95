import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { Api } from './http-client.js';
import { createApiToken, signUp } from './accounts-fixture.js';

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
  mesh = await Mesh.start({
    infra,
    namespace: uniqueNamespace('shut'),
    smtpUrl: smtp.url,
    instances: { token: 2 },
    env: { RATE_LIMIT_DEFAULT_LIMIT: '1000000' },
  });
});

afterAll(async () => {
  await mesh?.stop();
  await smtp?.stop();
  await infra?.stop();
});

describe('graceful shutdown', () => {
  it('SIGTERM to one token-service instance under load: no client sees an error', async () => {
    const api = new Api(mesh.edgeUrl);
    const owner = await signUp(api, smtp);
    const { token } = await createApiToken(api, owner.session);

    const statuses = new Map<number, number>();
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const res = await api.get('/api/v1/Orders', { token });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    const answered = () => [...statuses.values()].reduce((a, b) => a + b, 0);
    const until = async (n: number) => {
      const deadline = Date.now() + 20_000;
      while (answered() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    const workers = Array.from({ length: 8 }, worker);
    // Count requests, not milliseconds, so a loaded CI machine does not change what is tested.
    await until(30);
    const before = statuses.get(200) ?? 0;
    await mesh.stopProcess('token', 0, 'SIGTERM');
    await until(answered() + 30);
    stop = true;
    await Promise.all(workers);

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    // Everything answered 200, before, during and after the instance went away.
    expect(Object.fromEntries(statuses)).toEqual({ 200: total });
    expect(before).toBeGreaterThanOrEqual(30);
    expect(total - before).toBeGreaterThanOrEqual(30);
    expect(mesh.find('token', 0).child).toBeUndefined();
  });
});
