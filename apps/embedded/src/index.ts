export { startEmbedded, type Embedded } from './embedded.js';
export { EmbeddedEnv } from './config.js';
