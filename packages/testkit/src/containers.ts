import type { LocalServer } from './servers.js';

/**
 * The last resort for test infrastructure: Testcontainers, where a Docker engine runs.
 * Loaded lazily, so machines without Docker (like ours) never touch it.
 */
export type ContainerKind = 'nats' | 'redis' | 'mongo';

const images: Record<ContainerKind, { image: string; port: number; command?: string[]; scheme: string }> = {
  nats: { image: 'nats:2.10-alpine', port: 4222, command: ['-js'], scheme: 'nats' },
  redis: { image: 'redis:7-alpine', port: 6379, scheme: 'redis' },
  mongo: { image: 'mongo:7', port: 27017, scheme: 'mongodb' },
};

export async function startContainer(kind: ContainerKind): Promise<LocalServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const spec = images[kind];
  let container = new GenericContainer(spec.image).withExposedPorts(spec.port).withWaitStrategy(Wait.forListeningPorts());
  if (spec.command) container = container.withCommand(spec.command);
  let started = await container.start();
  const url = () => `${spec.scheme}://${started.getHost()}:${started.getMappedPort(spec.port)}`;
  return {
    get url() {
      return url();
    },
    get port() {
      return started.getMappedPort(spec.port);
    },
    start: async () => {
      started = await container.start();
    },
    kill: async () => {
      await started.stop({ timeout: 0 });
    },
    stop: async () => {
      await started.stop();
    },
    restart: async () => {
      await started.restart();
    },
  };
}
