import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra, type MeshService } from '@dispatch/testkit';
import { Api } from './http-client.js';
import { TEST_PASSWORD, createApiToken, signUp, uniqueEmail } from './accounts-fixture.js';

// The ops port of every mesh process (/healthz, /readyz, /metrics) and one request id traced through
// the logs of every service a request touches.

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;
const services: MeshService[] = ['identity', 'token', 'ratelimit', 'notification', 'edge'];

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
  mesh = await Mesh.start({ infra, namespace: uniqueNamespace('ops'), smtpUrl: smtp.url, logLevel: 'debug', instances: { token: 2 } });
});

afterAll(async () => {
  await mesh?.stop();
  await smtp?.stop();
  await infra?.stop();
});

/** The logs of every instance of a service (the two token instances share the work). */
const logOf = (service: MeshService): string =>
  mesh.processes
    .filter((p) => p.service === service)
    .map((p) => readFileSync(p.logFile, 'utf8'))
    .join('\n');

/** Log lines of a process carrying this request id (pino writes asynchronously: polled). */
async function linesWith(service: MeshService, requestId: string, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = logOf(service)
      .split('\n')
      .filter((l) => l.includes(requestId))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    if (lines.length > 0 || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ops endpoints of every mesh process', () => {
  it('gives each process its own ops port, and instances started together their own index', () => {
    // Regression: two token instances launched in parallel once both took index 0 (so "token-1" did not exist).
    expect(mesh.processes.filter((p) => p.service === 'token').map((p) => p.index).sort()).toEqual([0, 1]);
    expect(mesh.find('token', 1).logFile).not.toBe(mesh.find('token', 0).logFile);
    const ports = mesh.processes.filter((p) => p.service !== 'orders').map((p) => p.opsPort);
    expect(ports.every((p) => p > 0)).toBe(true);
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of mesh.processes.filter((x) => x.service !== 'orders')) expect(p.ready['opsPort']).toBe(p.opsPort);
  });

  it('/healthz and /readyz answer 200 with every check passing; /metrics counts the traffic', async () => {
    const api = new Api(mesh.edgeUrl);
    const owner = await signUp(api, smtp);
    const { token } = await createApiToken(api, owner.session);
    expect((await api.get('/api/v1/Orders', { token })).status).toBe(200);
    expect((await api.get('/api/v1/Orders', { token: 'not-a-token' })).status).toBe(401);

    for (const service of services) {
      const ops = mesh.opsUrl(service);
      expect((await fetch(`${ops}/healthz`)).status, `${service} /healthz`).toBe(200);
      const ready = await fetch(`${ops}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, boolean> };
      expect(ready.status, `${service} /readyz ${JSON.stringify(body)}`).toBe(200);
      expect(body.status).toBe('ready');
      expect(body.checks['nats']).toBe(true);
      if (service === 'identity' || service === 'token') expect(body.checks['mongo']).toBe(true);
      if (service === 'ratelimit') expect(body.checks['redis']).toBe(true);
      const metrics = await (await fetch(`${ops}/metrics`)).text();
      expect(metrics, service).toContain('dispatch_bus_requests_total');
      expect(metrics, service).toContain(`service="${service}"`);
      expect(metrics, service).toContain('process_cpu_user_seconds_total');
    }

    const counted = async (service: MeshService, index = 0) => (await fetch(`${mesh.opsUrl(service, index)}/metrics`)).text();
    // NATS spreads the token requests over the two instances: together they served some.
    expect(`${await counted('token', 0)}\n${await counted('token', 1)}`).toMatch(/^dispatch_bus_requests_total\{[^}]*outcome="ok"[^}]*\} [1-9]/m);
    // The token-validation cache is counted (the Orders call validated one API token).
    expect(`${await counted('token', 0)}\n${await counted('token', 1)}`).toMatch(/^dispatch_token_validation_cache_total\{result="(hit|miss)"[^}]*\} [1-9]/m);
    for (const service of ['identity', 'ratelimit'] as const) {
      expect(await counted(service), service).toMatch(/^dispatch_bus_requests_total\{[^}]*outcome="ok"[^}]*\} [1-9]/m);
    }
    expect(await counted('notification')).toMatch(/^dispatch_events_handled_total\{[^}]*outcome="ok"[^}]*\} [1-9]/m);
    const edge = await counted('edge');
    expect(edge).toMatch(/^dispatch_http_requests_total\{[^}]*method="GET",route="[^"]*v1[^"]*",status="200"[^}]*\} [1-9]/m);
    expect(edge).toMatch(/^dispatch_http_requests_total\{[^}]*route="\/api\/user\/register",status="202"[^}]*\} [1-9]/m);
    expect(edge, 'never the raw path as a label').not.toContain('route="/api/v1/Orders"');
    expect(edge).toMatch(/^dispatch_ratelimit_decisions_total\{outcome="allowed"[^}]*\} [1-9]/m);
    expect(edge).toMatch(/^dispatch_token_validations_total\{result="valid",source="token-service"[^}]*\} [1-9]/m);
    expect(edge).toMatch(/^dispatch_token_validations_total\{result="malformed",source="edge"[^}]*\} [1-9]/m);
    expect(edge).toMatch(/^dispatch_http_request_duration_seconds_bucket\{/m);

    // /metrics is on the ops port only, never on the public API port.
    expect((await fetch(`${mesh.edgeUrl}/metrics`)).status).toBe(404);
  });
});

describe('request tracing', () => {
  it('one X-Request-Id shows in the logs of every service the request touched', async () => {
    const api = new Api(mesh.edgeUrl);
    const owner = await signUp(api, smtp);
    const { token } = await createApiToken(api, owner.session);

    // Register: edge → identity → (event) → notification → SMTP.
    const registerId = `req_trace_${randomBytes(8).toString('hex')}`;
    const email = uniqueEmail('trace');
    const reg = await api.post(
      '/api/user/register',
      { email, password: TEST_PASSWORD, confirmPassword: TEST_PASSWORD, firstName: 'Trace', lastName: 'Me', acceptedTerms: true },
      { headers: { 'X-Request-Id': registerId } },
    );
    expect(reg.status, reg.text).toBe(202);
    expect(reg.headers.get('x-request-id')).toBe(registerId);
    await smtp.waitFor(email, (m) => /verify/i.test(m.subject));

    // Orders: edge → token (validate) → ratelimit (consume) → upstream.
    const ordersId = `req_trace_${randomBytes(8).toString('hex')}`;
    const orders = await api.get('/api/v1/Orders', { token, headers: { 'X-Request-Id': ordersId } });
    expect(orders.status, orders.text).toBe(200);
    expect(orders.headers.get('x-request-id')).toBe(ordersId);

    const traced: [string, MeshService[]][] = [
      [registerId, ['edge', 'identity', 'notification']],
      [ordersId, ['edge', 'token', 'ratelimit']],
    ];
    for (const [id, path] of traced) {
      for (const service of path) {
        const lines = await linesWith(service, id);
        expect(lines.length, `${service} logs ${id}`).toBeGreaterThan(0);
        expect(lines.every((l) => l['requestId'] === id), `${service}: the id is the requestId field`).toBe(true);
      }
    }
    // The backends log one debug "handled" line per bus request; notification logs the mail it sent.
    expect((await linesWith('identity', registerId)).some((l) => l['msg'] === 'handled')).toBe(true);
    expect((await linesWith('token', ordersId)).some((l) => l['msg'] === 'handled')).toBe(true);
    expect((await linesWith('ratelimit', ordersId)).some((l) => l['msg'] === 'handled')).toBe(true);
    expect((await linesWith('notification', registerId)).some((l) => l['msg'] === 'mail sent')).toBe(true);
    // The register request never reached token-validation; the Orders one sent no mail.
    expect(logOf('notification')).not.toContain(ordersId);
    // No secret in any of those lines.
    expect(mesh.allLogs()).not.toContain(TEST_PASSWORD);
    expect(mesh.allLogs()).not.toContain(token);
  });
});
