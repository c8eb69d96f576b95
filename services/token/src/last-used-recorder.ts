import { newId, type Logger } from '@dispatch/runtime';
import type { ApiTokenRepository, LastUse } from './store/api-token-repository.js';
import type { AuditEntity, AuditRepository } from './store/audit-repository.js';

/** An attempt to use a genuine token that is revoked or expired. */
export interface RejectedUse {
  tokenId: string;
  businessId: string;
  reason: 'revoked' | 'expired';
  clientIp: string | null;
  route: string | null;
  at: Date;
}

interface PendingUse {
  at: Date;
  count: number;
  graceCount: number;
}

interface PendingRejection {
  use: RejectedUse;
  lastAt: Date;
  count: number;
}

/**
 * Keeps token uses in memory and writes them in one batch every `intervalMs` and on stop, so
 * validating a token never costs a database write: per token its latest use, its calls, and
 * its calls after rotation (written as insert-only documents); and the attempts with revoked
 * or expired tokens, folded per token, reason, client IP and route into audit records.
 */
export class LastUsedRecorder {
  private pending = new Map<string, PendingUse>();
  private rejected = new Map<string, PendingRejection>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: Pick<ApiTokenRepository, 'recordLastUsed'>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly audit?: Pick<AuditRepository, 'append'>,
  ) {}

  /** One call with the token at `at`; `afterRotation` when the token had been rotated. */
  record(tokenId: string, at: Date, afterRotation = false): void {
    this.add(tokenId, { at, count: 1, graceCount: afterRotation ? 1 : 0 });
  }

  recordRejected(use: RejectedUse): void {
    const key = [use.tokenId, use.reason, use.clientIp ?? '', use.route ?? ''].join('\u0000');
    const entry = this.rejected.get(key);
    if (!entry) this.rejected.set(key, { use, lastAt: use.at, count: 1 });
    else {
      entry.count++;
      if (entry.lastAt < use.at) entry.lastAt = use.at;
      if (use.at < entry.use.at) entry.use = use;
    }
  }

  /** Tokens with uses recorded but not yet written. */
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

  private add(tokenId: string, use: PendingUse): void {
    const previous = this.pending.get(tokenId);
    if (!previous) {
      this.pending.set(tokenId, { ...use });
      return;
    }
    if (previous.at < use.at) previous.at = use.at;
    previous.count += use.count;
    previous.graceCount += use.graceCount;
  }

  private async writePending(): Promise<void> {
    await Promise.all([this.writeUses(), this.writeRejections()]);
  }

  private async writeUses(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const uses: LastUse[] = [...batch].map(([id, u]) => ({ id, at: u.at, count: u.count, graceCount: u.graceCount }));
    try {
      await this.repository.recordLastUsed(uses);
    } catch (err) {
      for (const [id, use] of batch) this.add(id, use);
      this.logger.warn({ err, tokens: batch.size }, 'could not record token uses, will retry');
    }
  }

  private async writeRejections(): Promise<void> {
    if (this.rejected.size === 0 || !this.audit) return;
    const batch = this.rejected;
    this.rejected = new Map();
    const records: AuditEntity[] = [...batch.values()].map(({ use, lastAt, count }) => {
      const id = newId('aud');
      return {
        id,
        businessId: use.businessId,
        tokenId: use.tokenId,
        action: use.reason === 'revoked' ? 'token.used_after_revocation' : 'token.used_after_expiry',
        actorType: 'token',
        actorId: use.tokenId,
        at: use.at,
        clientIp: use.clientIp,
        route: use.route,
        count,
        details: { lastAttemptAt: lastAt.toISOString() },
        dedupeKey: id,
      };
    });
    try {
      await this.audit.append(records);
    } catch (err) {
      for (const [key, entry] of batch) {
        const current = this.rejected.get(key);
        if (!current) {
          this.rejected.set(key, entry);
          continue;
        }
        current.count += entry.count;
        if (entry.use.at < current.use.at) current.use = entry.use;
        if (current.lastAt < entry.lastAt) current.lastAt = entry.lastAt;
      }
      this.logger.warn({ err, records: records.length }, 'could not record rejected token uses, will retry');
    }
  }
}
