export * from './ports.js';
export * from './servers.js';
export * from './infra.js';
export * from './smtp-sink.js';
export * from './mesh.js';
