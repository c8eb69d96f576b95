import { connectNatsBus, type NatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, loadConfig, metrics, runMain, startOpsServer } from '@dispatch/runtime';
import { EdgeEnv, edgeConfigFromEnv } from './config.js';
import { startEdgeServer } from './server.js';

await runMain('edge', async () => {
  const env = loadConfig('edge', EdgeEnv);
  const logger = createLogger({ service: 'edge', level: env.LOG_LEVEL });
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();
  metrics.collectDefaults('edge');
  // /metrics (and /healthz, /readyz = NATS connected) on the ops port only, never on the public one; closed last.
  const live: { bus?: NatsBus } = {};
  const ops = await startOpsServer({ port: env.OPS_PORT, logger, checks: { nats: () => live.bus?.isConnected() ?? false } });
  lifecycle.onStop('ops', () => ops.close());
  const bus = await connectNatsBus({ servers: env.NATS_URL, namespace: env.DISPATCH_NAMESPACE, logger, name: 'edge' });
  live.bus = bus;
  lifecycle.onStop('bus', () => bus.drain());
  const edge = await startEdgeServer({ bus, logger, config: edgeConfigFromEnv(env) }, env.EDGE_PORT, env.EDGE_HOST);
  // Closers run in reverse: not ready → stop HTTP (in-flight requests finish) → drain the bus → ops server.
  lifecycle.onStop('http', () => edge.close());
  lifecycle.onStop('draining', () => ops.setDraining());
  logger.info({ url: edge.url, opsPort: ops.port }, 'ready');
});
