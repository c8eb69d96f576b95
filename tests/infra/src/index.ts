// Helpers of the offline infra checks (the checks themselves are src/*.test.ts).
export * from './lib/paths.js';
export * from './lib/env-names.js';
export * from './lib/dockerfile.js';
export * from './lib/compose.js';
export * from './lib/kustomize.js';
export * from './lib/k8s-schema.js';
export * from './lib/launch.js';
export * from './lib/image-sim.js';
