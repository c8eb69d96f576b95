import type { ReplyOf, RequestKey, RequestOf } from '@dispatch/contracts';
import type { EdgeContext, EdgeDeps } from './context.js';

/** A bus request on behalf of an HTTP request: carries its request id and the edge's timeout. */
export const call = <K extends RequestKey>(ctx: EdgeContext, deps: EdgeDeps, key: K, payload: RequestOf<K>): Promise<ReplyOf<K>> =>
  deps.bus.request(key, payload, { requestId: ctx.state.requestId, timeoutMs: deps.config.busTimeoutMs });
