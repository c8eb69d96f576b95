import { createHash } from 'node:crypto';
import type { RateLimitDecision } from '@dispatch/contracts';
import type { ConsumeInput, RateLimiter } from './limiter.js';

/**
 * One decision, atomically, with the Redis server's clock (`TIME`) so every instance agrees on
 * the window. KEYS[1] = `<prefix>:<key>`; the counter lives at `KEYS[1]:<windowStart>`.
 * ARGV = limit, windowSeconds, cost, slackMs.
 * Returns { allowed (1|0), remaining, resetAt, retryAfterSeconds }.
 */
export const CONSUME_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local slack = tonumber(ARGV[4])
local windowStart = now - (now % window)
local resetAt = windowStart + window
local key = KEYS[1] .. ':' .. windowStart
local used = tonumber(redis.call('GET', key) or '0')
if used + cost <= limit then
  used = redis.call('INCRBY', key, cost)
  if used == cost then
    redis.call('PEXPIRE', key, window * 1000 + slack)
  end
  local remaining = limit - used
  if remaining < 0 then remaining = 0 end
  return {1, remaining, resetAt, 0}
end
local remaining = limit - used
if remaining < 0 then remaining = 0 end
local retryAfter = resetAt - now
if retryAfter < 1 then retryAfter = 1 end
return {0, remaining, resetAt, retryAfter}
`;

export const CONSUME_SCRIPT_SHA1 = createHash('sha1').update(CONSUME_SCRIPT).digest('hex');

interface ScriptOptions {
  keys: string[];
  arguments: string[];
}

/** The slice of a node-redis v5 client this limiter needs (any `createClient()` result fits). */
export interface RedisScriptClient {
  readonly isReady: boolean;
  evalSha(sha1: string, options: ScriptOptions): Promise<unknown>;
  eval(script: string, options: ScriptOptions): Promise<unknown>;
}

export interface RedisLimiterOptions {
  /** Key prefix, e.g. `dispatch:rl`. Counters live at `<prefix>:<key>:<windowStart>`. */
  prefix: string;
  /** Extra milliseconds a window's counter outlives the window (clock skew, late readers). */
  expirySlackMs?: number;
}

const isNoScript = (err: unknown): boolean => err instanceof Error && err.message.startsWith('NOSCRIPT');

/** Distributed fixed-window limiter: one Lua script per decision, exact under concurrency. */
export class RedisLimiter implements RateLimiter {
  private readonly prefix: string;
  private readonly slackMs: number;

  constructor(
    private readonly client: RedisScriptClient,
    options: RedisLimiterOptions,
  ) {
    this.prefix = options.prefix;
    this.slackMs = options.expirySlackMs ?? 5_000;
  }

  async consume(input: ConsumeInput): Promise<RateLimitDecision> {
    const options: ScriptOptions = {
      keys: [`${this.prefix}:${input.key}`],
      arguments: [String(input.limit), String(input.windowSeconds), String(input.cost ?? 1), String(this.slackMs)],
    };
    let reply: unknown;
    try {
      reply = await this.client.evalSha(CONSUME_SCRIPT_SHA1, options);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      // First use on this server (or after SCRIPT FLUSH / failover): EVAL loads the script too.
      reply = await this.client.eval(CONSUME_SCRIPT, options);
    }
    return toDecision(reply, input.limit);
  }

  isReady(): boolean {
    return this.client.isReady;
  }
}

function toDecision(reply: unknown, limit: number): RateLimitDecision {
  if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((v) => typeof v === 'number')) {
    throw new Error('Unexpected reply from the rate-limit script');
  }
  const [allowed, remaining, resetAt, retryAfterSeconds] = reply as [number, number, number, number];
  return { allowed: allowed === 1, limit, remaining, resetAt, retryAfterSeconds };
}
