import { connectNatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, loadConfig, runMain } from '@dispatch/runtime';
import { EdgeEnv, edgeConfigFromEnv } from './config.js';
import { startEdgeServer } from './server.js';

await runMain('edge', async () => {
  const env = loadConfig('edge', EdgeEnv);
  const logger = createLogger({ service: 'edge', level: env.LOG_LEVEL });
  const bus = await connectNatsBus({ servers: env.NATS_URL, namespace: env.DISPATCH_NAMESPACE, logger, name: 'edge' });
  const edge = await startEdgeServer({ bus, logger, config: edgeConfigFromEnv(env) }, env.EDGE_PORT, env.EDGE_HOST);
  const lifecycle = new Lifecycle(logger);
  lifecycle.onStop('bus', () => bus.drain());
  lifecycle.onStop('http', () => edge.close());
  lifecycle.handleSignals();
  logger.info({ url: edge.url }, 'ready');
});
