import { afterAll, beforeAll, describe } from 'vitest';
import { EmbeddedEnv, startEmbedded, type Embedded } from '@dispatch/embedded';
import { SmtpSink, uniqueNamespace } from '@dispatch/testkit';
import { Api } from './http-client.js';
import { describeQuotas } from './quotas.test-suite.js';

let smtp: SmtpSink;
let app: Embedded;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  app = await startEmbedded(
    EmbeddedEnv.parse({ EDGE_PORT: '0', SMTP_URL: smtp.url, DISPATCH_NAMESPACE: uniqueNamespace('embq'), LOG_LEVEL: 'silent', PASSWORD_SCRYPT_N: '1024' }),
  );
});

afterAll(async () => {
  await app?.stop();
  await smtp?.stop();
});

describe('quotas in the embedded mode (one process, in-memory limiter)', () => {
  describeQuotas('embedded', () => ({ edges: [new Api(app.edgeUrl)], smtp }));
});
