import type { DomainEvent } from '@dispatch/contracts';
import type { ActivityEntity } from '../store/activity-repository.js';
import type { TokenContext } from './context.js';

/**
 * Consumer of `usage.recorded` (one event per edge flush): stores each aggregate entry as an
 * insert-only document whose id is `<event id>:<index>`, so a redelivery stores nothing twice.
 */
export async function recordUsageEvent(ctx: Pick<TokenContext, 'activity'>, event: DomainEvent): Promise<void> {
  if (event.type !== 'usage.recorded') return;
  const { entries } = (event as DomainEvent<'usage.recorded'>).data;
  const docs: ActivityEntity[] = entries.map((e, i) => ({
    id: `${event.id}:${i}`,
    businessId: e.businessId,
    tokenId: e.tokenId,
    minute: new Date(e.minute),
    method: e.method,
    route: e.route,
    status: e.status,
    ip: e.ip,
    count: e.count,
  }));
  await ctx.activity.insert(docs);
}
