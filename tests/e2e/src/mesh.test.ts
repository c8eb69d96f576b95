import { afterAll, beforeAll, describe } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { describeMainFlow } from './flow.test-suite.js';

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
  mesh = await Mesh.start({ infra, namespace: uniqueNamespace('e2e'), smtpUrl: smtp.url });
});

afterAll(async () => {
  await mesh?.stop();
  await smtp?.stop();
  await infra?.stop();
});

describe('the real mesh (NATS, Redis, FerretDB, SMTP; every service its own process)', () => {
  describeMainFlow('mesh', () => ({ edgeUrl: mesh.edgeUrl, smtp, logs: () => mesh.allLogs() }));
});
