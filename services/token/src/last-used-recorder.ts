import type { Logger } from '@dispatch/runtime';
import type { ApiTokenRepository } from './store/api-token-repository.js';

/**
 * Keeps each token's latest use in memory and writes them to the store in one batch every
 * `intervalMs` and on stop, so validating a token never costs a database write.
 */
export class LastUsedRecorder {
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: Pick<ApiTokenRepository, 'recordLastUsed'>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  record(tokenId: string, at: Date): void {
    const previous = this.pending.get(tokenId);
    if (!previous || previous < at) this.pending.set(tokenId, at);
  }

  /** Uses recorded but not yet written. */
  get pendingCount(): number {
    return this.pending.size;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes what is pending; flushes never overlap. A failed batch is kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.repository.recordLastUsed([...batch].map(([id, at]) => ({ id, at })));
    } catch (err) {
      for (const [id, at] of batch) this.record(id, at);
      this.logger.warn({ err, tokens: batch.size }, 'could not record token last-used times, will retry');
    }
  }
}
