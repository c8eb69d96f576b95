import { createLogger, env, loadConfig, runMain } from '@dispatch/runtime';
import { z } from 'zod';
import { startOrdersUpstream } from './server.js';

const Config = z.object({
  ORDERS_PORT: env.port(8090),
  ORDERS_HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: env.logLevel(),
});

await runMain('orders-upstream', async () => {
  const config = loadConfig('orders-upstream', Config);
  const logger = createLogger({ service: 'orders-upstream', level: config.LOG_LEVEL });
  const upstream = await startOrdersUpstream(config.ORDERS_PORT, config.ORDERS_HOST);
  logger.info({ url: upstream.url }, 'ready');
  const stop = () => void upstream.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
