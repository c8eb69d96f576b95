import type { RateLimitDecision } from '@dispatch/contracts';
import { decide, windowAt, type ConsumeInput, type RateLimiter } from './limiter.js';

export interface MemoryLimiterOptions {
  /** Clock in epoch milliseconds (tests); defaults to Date.now. */
  now?: () => number;
  /** How often (clock ms) expired windows are swept from memory. */
  sweepIntervalMs?: number;
}

interface Counter {
  used: number;
  resetAt: number;
}

/** The in-process limiter for embedded mode: same semantics as RedisLimiter, one process only. */
export class MemoryLimiter implements RateLimiter {
  private readonly counters = new Map<string, Counter>();
  private readonly now: () => number;
  private readonly sweepIntervalMs: number;
  private nextSweepAt: number;

  constructor(options: MemoryLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.nextSweepAt = this.now() + this.sweepIntervalMs;
  }

  async consume(input: ConsumeInput): Promise<RateLimitDecision> {
    const cost = input.cost ?? 1;
    const nowMs = this.now();
    const nowSeconds = nowMs / 1000;
    this.sweep(nowMs);
    const { windowStart, resetAt } = windowAt(nowSeconds, input.windowSeconds);
    // Same key shape as Redis (`<key>:<windowStart>`), so both limiters count identically.
    const mapKey = `${input.key}\u0000${windowStart}`;
    const counter = this.counters.get(mapKey);
    const { decision, usedAfter } = decide(counter?.used ?? 0, { limit: input.limit, cost }, nowSeconds, resetAt);
    if (decision.allowed) {
      if (counter) {
        counter.used = usedAfter;
        counter.resetAt = Math.max(counter.resetAt, resetAt);
      }
      else this.counters.set(mapKey, { used: usedAfter, resetAt });
    }
    return decision;
  }

  isReady(): boolean {
    return true;
  }

  /** Number of live counters (for tests and metrics). */
  get size(): number {
    return this.counters.size;
  }

  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepAt) return;
    this.nextSweepAt = nowMs + this.sweepIntervalMs;
    for (const [key, counter] of this.counters) if (counter.resetAt * 1000 <= nowMs) this.counters.delete(key);
  }
}
