export * from './ids.js';
export * from './logger.js';
export * from './config.js';
export * from './lifecycle.js';
export * from './metrics.js';
export * from './ops-server.js';
