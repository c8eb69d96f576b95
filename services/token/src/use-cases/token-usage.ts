import {
  errors,
  maxUsageRangeMs,
  usageGranularityMs,
  type UsageBucket,
  type UsageCounts,
  type TokenUsageReply,
  type TokenUsageRequest,
} from '@dispatch/contracts';
import type { TokenContext } from './context.js';

const emptyCounts = (): UsageCounts => ({ total: 0, '2xx': 0, '3xx': 0, '4xx': 0, '429': 0, '5xx': 0 });

/** Adds `count` calls answered with `status` to `counts`; 429 is its own class, not part of 4xx. */
export function addCalls(counts: UsageCounts, status: number, count: number): void {
  counts.total += count;
  if (status === 429) counts['429'] += count;
  else if (status >= 200 && status < 300) counts['2xx'] += count;
  else if (status >= 300 && status < 400) counts['3xx'] += count;
  else if (status >= 400 && status < 500) counts['4xx'] += count;
  else if (status >= 500) counts['5xx'] += count;
}

/**
 * token.tokenUsage: a token's calls per minute, hour or day (UTC buckets) by status class, from
 * the same `usage.recorded` data as the activity (written by the edges' flushes, never on the
 * request path). The range is widened to whole buckets; every bucket is listed, empty ones too.
 * Another business's token is NOT_FOUND.
 */
export async function tokenUsage(ctx: TokenContext, request: TokenUsageRequest): Promise<TokenUsageReply> {
  const size = usageGranularityMs[request.granularity];
  const from = Math.floor(Date.parse(request.from) / size) * size;
  const to = Math.ceil(Date.parse(request.to) / size) * size;
  if (Date.parse(request.from) >= Date.parse(request.to)) {
    throw errors.validation('Request query is invalid', { fields: { from: 'from must be before to' } });
  }
  const max = maxUsageRangeMs[request.granularity];
  if (to - from > max) {
    throw errors.validation('Request query is invalid', {
      fields: { from: `the range must be at most ${max / 3_600_000} hours for granularity ${request.granularity}` },
    });
  }
  const token = await ctx.apiTokens.get(request.businessId, request.tokenId);
  if (!token) throw errors.notFound('Token');
  const entries = await ctx.activity.query(request.businessId, request.tokenId, new Date(from), new Date(to));
  const buckets: UsageBucket[] = [];
  for (let start = from; start < to; start += size) buckets.push({ start: new Date(start).toISOString(), ...emptyCounts() });
  const totals = emptyCounts();
  for (const e of entries) {
    const bucket = buckets[Math.floor((e.minute.getTime() - from) / size)];
    if (!bucket) continue;
    addCalls(bucket, e.status, e.count);
    addCalls(totals, e.status, e.count);
  }
  return {
    tokenId: request.tokenId,
    granularity: request.granularity,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    totals,
    buckets,
  };
}
