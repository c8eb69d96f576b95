import { afterAll, beforeAll, describe } from 'vitest';
import { EmbeddedEnv, startEmbedded, type Embedded } from '@dispatch/embedded';
import { SmtpSink, uniqueNamespace } from '@dispatch/testkit';
import { describeMainFlow } from './flow.test-suite.js';

let smtp: SmtpSink;
let app: Embedded;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  // The embedded default sends real email when SMTP_URL is given: the same flow reads it back over SMTP.
  app = await startEmbedded(
    EmbeddedEnv.parse({ EDGE_PORT: '0', SMTP_URL: smtp.url, DISPATCH_NAMESPACE: uniqueNamespace('emb'), LOG_LEVEL: 'silent' }),
  );
});

afterAll(async () => {
  await app?.stop();
  await smtp?.stop();
});

describe('the embedded default (one process, in-memory bus, stores and limiter)', () => {
  describeMainFlow('embedded', () => ({ edgeUrl: app.edgeUrl, smtp }));
});
