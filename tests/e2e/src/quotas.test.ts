import { afterAll, beforeAll, describe } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { Api } from './http-client.js';
import { describeQuotas } from './quotas.test-suite.js';

/*
 * Issue #5 (plans, quotas, shadow mode, usage) over the real mesh: TWO edges and TWO token-service
 * instances (each its own process), the ratelimit service on Redis, JetStream usage events into
 * FerretDB. Usage flushes every 500 ms.
 */

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;
let edges: Api[] = [];

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
  mesh = await Mesh.start({
    infra,
    namespace: uniqueNamespace('quota'),
    smtpUrl: smtp.url,
    instances: { edge: 2, token: 2 },
    // A loaded machine with FerretDB can be slow to answer: a timed-out consume would fail open.
    env: { EDGE_USAGE_FLUSH_MS: '500', BUS_TIMEOUT_MS: '20000' },
  });
  edges = mesh.edgeUrls.map((url) => new Api(url));
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
  await smtp?.stop();
  await infra?.stop();
});

const edgeMetrics = () =>
  Promise.all([0, 1].map(async (i) => (await fetch(`${mesh.opsUrl('edge', i)}/metrics`)).text()));

describe('quotas over the real mesh (2 edges, 2 token-service instances)', () => {
  describeQuotas('mesh', () => ({ edges, smtp, metrics: edgeMetrics }));
});
