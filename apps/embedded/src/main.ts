import { resolve } from 'node:path';
import { Lifecycle, createLogger, loadConfig, runMain } from '@dispatch/runtime';
import { EmbeddedEnv } from './config.js';
import { startEmbedded } from './embedded.js';

await runMain('embedded', async () => {
  const env = loadConfig('embedded', EmbeddedEnv);
  const logger = createLogger({ service: 'embedded', level: env.LOG_LEVEL });
  const app = await startEmbedded(env, logger);
  const lifecycle = new Lifecycle(logger);
  lifecycle.onStop('embedded', () => app.stop());
  lifecycle.handleSignals();
  logger.info({ url: app.edgeUrl, upstream: app.upstreamUrl }, 'ready');
  const mail = app.outboxDir ? `emails are written to ${resolve(app.outboxDir)}` : `emails are sent over SMTP`;
  process.stdout.write(
    `\n  Dispatch Auth (embedded) is running.\n  Portal:   ${app.edgeUrl}/register   (sign up, verify, log in, Settings → API Access)\n  API:      ${app.edgeUrl}\n  Example:  curl ${app.edgeUrl}/api/v1/Orders -H "Authorization: Bearer <token>"\n  Mail:     ${mail}\n  Stop:     Ctrl-C\n\n`,
  );
});
