import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/infra/src/lib → ../../../..; same from dist/lib). */
export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../../..');
export const infraDir = join(repoRoot, 'infra');
export const k8sDir = join(infraDir, 'k8s');

export type DeployableName = 'identity' | 'token' | 'ratelimit' | 'notification' | 'edge' | 'orders-upstream';

export interface Deployable {
  /** Image, compose service, Deployment and kustomize folder name. */
  name: DeployableName;
  /** npm workspace name. */
  pkg: string;
  /** Workspace folder, relative to the repository root. */
  dir: string;
  /** Files whose zod schema lists the environment the process reads. */
  configSources: string[];
  /** Listens for HTTP (edge, the example upstream). */
  http: boolean;
}

export const deployables: Deployable[] = [
  { name: 'identity', pkg: '@dispatch/identity', dir: 'services/identity', configSources: ['src/config.ts', 'src/main.ts'], http: false },
  { name: 'token', pkg: '@dispatch/token', dir: 'services/token', configSources: ['src/config.ts', 'src/main.ts'], http: false },
  { name: 'ratelimit', pkg: '@dispatch/ratelimit', dir: 'services/ratelimit', configSources: ['src/config.ts', 'src/main.ts'], http: false },
  { name: 'notification', pkg: '@dispatch/notification', dir: 'services/notification', configSources: ['src/config.ts', 'src/main.ts'], http: false },
  { name: 'edge', pkg: '@dispatch/edge', dir: 'services/edge', configSources: ['src/config.ts', 'src/main.ts'], http: true },
  { name: 'orders-upstream', pkg: '@dispatch/orders-upstream', dir: 'examples/orders-upstream', configSources: ['src/main.ts'], http: true },
];

/** The five services of the mesh (orders-upstream is only an example business API). */
export const meshServices = deployables.filter((d) => d.name !== 'orders-upstream');

export function deployable(name: string): Deployable {
  const found = deployables.find((d) => d.name === name);
  if (!found) throw new Error(`unknown deployable ${name}`);
  return found;
}

export const dockerfilePath = (name: string): string => join(infraDir, 'docker', `${name}.Dockerfile`);

/** The built entry point `node <dir>/dist/main.js` runs. */
export const entryOf = (d: Deployable): string => `${d.dir}/dist/main.js`;

export const isBuilt = (d: Deployable): boolean => existsSync(join(repoRoot, entryOf(d)));
