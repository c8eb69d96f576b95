import { startContainer } from './containers.js';
import { hasLocalServer, startMongoServer, startNatsServer, startRedisServer, type LocalServer } from './servers.js';

/** Where the tests' infrastructure lives. Env URLs win; otherwise local servers on free ports. */
export interface InfraUrls {
  natsUrl: string;
  redisUrl: string;
  mongoUrl: string;
}

export interface Infra extends InfraUrls {
  /** The servers this kit started itself (absent for those given by env URLs). */
  servers: { nats?: LocalServer; redis?: LocalServer; mongo?: LocalServer };
  stop(): Promise<void>;
}

export type InfraKind = 'nats' | 'redis' | 'mongo';

/**
 * Takes infrastructure in this order: NATS_URL / REDIS_URL / MONGO_URL from the environment;
 * else local nats-server, redis-server and FerretDB (or mongod) started on free ports in temp dirs;
 * else Testcontainers (only where a Docker engine runs; none does on our CI machines).
 */
export async function startInfra(kinds: InfraKind[] = ['nats', 'redis', 'mongo']): Promise<Infra> {
  const servers: Infra['servers'] = {};
  const want = new Set(kinds);
  const pick = async (kind: InfraKind, envName: string, start: () => Promise<LocalServer>): Promise<string> => {
    if (!want.has(kind)) return '';
    const fromEnv = process.env[envName];
    if (fromEnv) return fromEnv;
    const server = hasLocalServer(kind) ? await start() : await startContainer(kind);
    servers[kind] = server;
    return server.url;
  };
  const [natsUrl, redisUrl, mongoUrl] = await Promise.all([
    pick('nats', 'NATS_URL', startNatsServer),
    pick('redis', 'REDIS_URL', startRedisServer),
    pick('mongo', 'MONGO_URL', startMongoServer),
  ]);
  return {
    natsUrl,
    redisUrl,
    mongoUrl,
    servers,
    stop: async () => {
      await Promise.all(Object.values(servers).map((s) => s.stop()));
    },
  };
}

/** A short unique name for one test's namespace, database names and key prefixes. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
