import type { Bus } from '@dispatch/bus';
import type { Principal } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { ParameterizedContext } from 'koa';
import type { EdgeConfig } from '../config.js';

export interface EdgeState {
  requestId: string;
  logger: Logger;
  principal?: Principal;
}

export type EdgeContext = ParameterizedContext<EdgeState>;

export interface EdgeDeps {
  bus: Bus;
  logger: Logger;
  config: EdgeConfig;
}
