export * from './bus.js';
export * from './codec.js';
export { MemoryBus, MemoryHub } from './memory-bus.js';
export { NatsBus, connectNatsBus, natsConnectionOptions, type NatsBusOptions } from './nats-bus.js';
export { redeliveryDelayMs } from './handler.js';
