import type { Bus } from '@dispatch/bus';
import type { Principal } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { ParameterizedContext } from 'koa';
import type { EdgeConfig } from '../config.js';
import type { KeySet } from '../auth/keys.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';

export interface EdgeState {
  requestId: string;
  logger: Logger;
  principal?: Principal;
  /** The API token a request is attributed to (valid, or genuine but revoked/expired), for the usage record. */
  attribution?: { tokenId: string; businessId: string };
}

export type EdgeContext = ParameterizedContext<EdgeState>;

export interface EdgeDeps {
  bus: Bus;
  logger: Logger;
  config: EdgeConfig;
  /** Known signing key ids (unknown kids are refused without a call); created by startEdgeServer when omitted. */
  keys?: KeySet;
  /** Per-token usage counts, published as `usage.recorded`; created by startEdgeServer when omitted. */
  usage?: UsageRecorder;
}
