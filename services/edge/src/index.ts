export { createEdgeApp } from './app.js';
export { startEdgeServer, type EdgeServer } from './server.js';
export { EdgeEnv, edgeConfigFromEnv, edgeTuningEnvShape, publicPrefixEnv, type EdgeConfig } from './config.js';
export type { EdgeDeps } from './http/context.js';
export { bearerToken } from './auth/bearer.js';
export {
  AccountProtection,
  accountProtectionEnvShape,
  accountProtectionFromEnv,
  defaultAccountProtection,
  resolveAccountProtection,
  type AccountProtectionConfig,
} from './auth/account-protection.js';
