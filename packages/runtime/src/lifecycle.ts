import type { Logger } from 'pino';

type Closer = () => Promise<void> | void;

/**
 * Graceful shutdown: on SIGTERM/SIGINT, run closers in reverse order of registration
 * within a deadline, then exit.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger, private readonly deadlineMs = 10_000) {}

  onStop(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, close } of [...this.closers].reverse()) {
        try {
          await close();
        } catch (err) {
          this.logger.warn({ err, component: name }, 'error while stopping');
        }
      }
    })();
    return this.stopping;
  }

  handleSignals(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      this.logger.info({ signal }, 'stopping');
      const timer = setTimeout(() => {
        this.logger.error({ deadlineMs: this.deadlineMs }, 'shutdown deadline passed, exiting');
        process.exit(1);
      }, this.deadlineMs);
      timer.unref();
      void this.stop().then(() => {
        this.logger.info('stopped');
        process.exit(0);
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
