import { MAX_ACTIVITY_RANGE_MS, errors, type ActivityBucket, type TokenActivityReply, type TokenActivityRequest } from '@dispatch/contracts';
import type { TokenContext } from './context.js';

/**
 * token.tokenActivity: everything a token did in [from, to): calls per minute, method + route,
 * status and client IP, including calls attempted after it was revoked or expired. Another
 * business's token is NOT_FOUND.
 */
export async function tokenActivity(ctx: TokenContext, request: TokenActivityRequest): Promise<TokenActivityReply> {
  const from = new Date(request.from);
  const to = new Date(request.to);
  if (from.getTime() >= to.getTime()) throw errors.validation('Request query is invalid', { fields: { from: 'from must be before to' } });
  if (to.getTime() - from.getTime() > MAX_ACTIVITY_RANGE_MS) {
    throw errors.validation('Request query is invalid', { fields: { from: 'the range must be at most 31 days' } });
  }
  const token = await ctx.apiTokens.get(request.businessId, request.tokenId);
  if (!token) throw errors.notFound('Token');
  const entries = await ctx.activity.query(request.businessId, request.tokenId, from, to);
  // Several edges report the same minute/route/status/ip: one bucket each.
  const buckets = new Map<string, ActivityBucket>();
  for (const e of entries) {
    const minute = e.minute.toISOString();
    const key = [minute, e.method, e.route, e.status, e.ip].join('\u0000');
    const bucket = buckets.get(key);
    if (bucket) bucket.count += e.count;
    else buckets.set(key, { minute, method: e.method, route: e.route, status: e.status, ip: e.ip, count: e.count });
  }
  const list = [...buckets.values()].sort(
    (a, b) => a.minute.localeCompare(b.minute) || a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.status - b.status || a.ip.localeCompare(b.ip),
  );
  return { tokenId: request.tokenId, from: from.toISOString(), to: to.toISOString(), totalCalls: list.reduce((n, b) => n + b.count, 0), buckets: list };
}
