import type { PingReply } from '@dispatch/contracts';

export const ping = (instance: string, ready: boolean): PingReply => ({ service: 'identity', instance, ready });
