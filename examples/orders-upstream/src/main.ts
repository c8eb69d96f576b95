import { createAuthClient } from '@dispatch/auth-client';
import { connectNatsBus, type NatsBus } from '@dispatch/bus';
import { createLogger, env, loadConfig, runMain } from '@dispatch/runtime';
import { z } from 'zod';
import { startOrdersUpstream } from './server.js';

const Config = z.object({
  ORDERS_PORT: env.port(8090),
  ORDERS_HOST: z.string().default('127.0.0.1'),
  /** When set, the Bearer token is verified with the token service too (defence in depth). */
  NATS_URL: env.natsServers().optional(),
  DISPATCH_NAMESPACE: env.namespace(),
  AUTH_TIMEOUT_MS: env.int(3000),
  LOG_LEVEL: env.logLevel(),
});

await runMain('orders-upstream', async () => {
  const config = loadConfig('orders-upstream', Config);
  const logger = createLogger({ service: 'orders-upstream', level: config.LOG_LEVEL });
  let bus: NatsBus | undefined;
  if (config.NATS_URL) {
    bus = await connectNatsBus({ servers: config.NATS_URL, namespace: config.DISPATCH_NAMESPACE, logger, name: 'orders-upstream' });
  }
  // The edge already counted the call: verifying here must not count it twice.
  const authClient = bus ? createAuthClient({ bus, timeoutMs: config.AUTH_TIMEOUT_MS, recordUsage: false }) : undefined;
  const upstream = await startOrdersUpstream(config.ORDERS_PORT, config.ORDERS_HOST, authClient ? { authClient } : {});
  logger.info({ url: upstream.url, verifiesTokens: authClient !== undefined }, 'ready');
  const stop = () =>
    void upstream
      .close()
      .then(() => bus?.drain())
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
