import { afterAll, beforeAll, describe } from 'vitest';
import { EmbeddedEnv, startEmbedded, type Embedded } from '@dispatch/embedded';
import { SmtpSink, uniqueNamespace } from '@dispatch/testkit';
import { accountsEnv, describeAccounts, shortLifetimesEnv } from './accounts.test-suite.js';

let smtp: SmtpSink;
let app: Embedded;

const envFor = (extra: Record<string, string> = {}) =>
  EmbeddedEnv.parse({
    EDGE_PORT: '0',
    SMTP_URL: smtp.url,
    DISPATCH_NAMESPACE: uniqueNamespace('emba'),
    LOG_LEVEL: 'silent',
    // scrypt runs in-process here: on a loaded machine a burst of logins can take longer than the 3 s default.
    BUS_TIMEOUT_MS: '10000',
    ...accountsEnv,
    ...extra,
  });

beforeAll(async () => {
  smtp = await SmtpSink.start();
  app = await startEmbedded(envFor());
});

afterAll(async () => {
  await app?.stop();
  await smtp?.stop();
});

/** A second embedded instance whose emailed tokens expire quickly. */
async function withShortTokenLifetimes(run: (edgeUrl: string) => Promise<void>): Promise<void> {
  const short = await startEmbedded(envFor(shortLifetimesEnv));
  try {
    await run(short.edgeUrl);
  } finally {
    await short.stop();
  }
}

describe('the embedded default (one process, in-memory bus, stores and limiter)', () => {
  describeAccounts('embedded', () => ({ edgeUrl: app.edgeUrl, smtp, withShortTokenLifetimes }));
});
