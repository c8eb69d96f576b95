import { z } from 'zod';

export const PingRequest = z.strictObject({});
export type PingRequest = z.infer<typeof PingRequest>;
export const PingReply = z.object({ service: z.string(), instance: z.string(), ready: z.boolean() });
export type PingReply = z.infer<typeof PingReply>;
