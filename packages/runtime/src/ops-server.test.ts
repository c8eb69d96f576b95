import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { metrics } from './metrics.js';
import { startOpsServer, type OpsServer } from './ops-server.js';

const logger = createLogger({ service: 'test', level: 'silent' });
let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ops server', () => {
  it('reports liveness, readiness from every check, and Prometheus metrics', async () => {
    let storeUp = false;
    server = await startOpsServer({ port: 0, host: '127.0.0.1', logger, checks: { bus: () => true, store: () => storeUp } });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not_ready', checks: { bus: true, store: false } });

    storeUp = true;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { bus: true, store: true } });

    server.setDraining();
    const draining = await fetch(`${base}/readyz`);
    expect(draining.status).toBe(503);
    expect(((await draining.json()) as { status: string }).status).toBe('draining');

    metrics.busRequests.inc({ subject: 'token.validate', outcome: 'ok' });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/dispatch_bus_requests_total\{subject="token.validate",outcome="ok"\} \d+/);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('treats a throwing check as not ready', async () => {
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      checks: {
        store: () => {
          throw new Error('down');
        },
      },
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(res.status).toBe(503);
  });
});
