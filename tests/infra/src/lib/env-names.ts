import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deployables, repoRoot, type Deployable, type DeployableName } from './paths.js';

const ENV_KEY = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*:/g;

const isZodObject = (v: unknown): v is { shape: Record<string, unknown>; safeParse: unknown } =>
  typeof v === 'object' && v !== null && 'shape' in v && 'safeParse' in v && typeof v.shape === 'object' && v.shape !== null;

/**
 * The environment variables a process reads (the runtime also accepts `NAME_FILE` for each): the keys of
 * every zod object its built `dist/config.js` exports (the env schema, whatever it is called and wherever
 * its parts are defined), plus the `NAME:` keys written in its config sources (for a process whose
 * schema lives in main.ts, such as the example upstream).
 */
export async function envNamesRead(d: Deployable): Promise<Set<string>> {
  return envNamesIn(d.dir, d.configSources);
}

/** envNamesRead() for any workspace folder (e.g. apps/embedded, which is not deployed on its own). */
export async function envNamesIn(dir: string, configSources: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of configSources) {
    const path = join(repoRoot, dir, file);
    if (!existsSync(path)) continue;
    for (const m of readFileSync(path, 'utf8').matchAll(ENV_KEY)) if (m[1]) names.add(m[1]);
  }
  const built = join(repoRoot, dir, 'dist', 'config.js');
  if (existsSync(built)) {
    const mod = (await import(pathToFileURL(built).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) if (isZodObject(value)) for (const key of Object.keys(value.shape)) names.add(key);
  }
  return names;
}

/** envNamesRead() of every deployable. */
export async function envNamesByDeployable(): Promise<Map<DeployableName, Set<string>>> {
  const entries = await Promise.all(deployables.map(async (d) => [d.name, await envNamesRead(d)] as const));
  return new Map(entries);
}

/** `NAME_FILE` → `NAME` (the runtime reads the file into NAME); other names unchanged. */
export const baseEnvName = (name: string): string => (name.endsWith('_FILE') ? name.slice(0, -'_FILE'.length) : name);

export interface ReadmeEnvRow {
  names: string[];
  usedBy: string;
}

/** The rows of the README's "## Configuration" table: `| \`A\`, \`B\` | used by | default |`; `_R` expands from the row's first name. */
export function readmeConfigurationTable(readme: string): ReadmeEnvRow[] {
  const start = readme.indexOf('## Configuration');
  if (start < 0) throw new Error('README has no "## Configuration" section');
  const end = readme.indexOf('\n## ', start + 5);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const rows: ReadmeEnvRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !cells[1]?.startsWith('`')) continue;
    const raw = [...cells[1].matchAll(/`([A-Z_][A-Z0-9_]*)`/g)].map((m) => m[1] ?? '');
    const first = raw[0] ?? '';
    const stem = first.slice(0, first.lastIndexOf('_'));
    rows.push({ names: raw.map((n) => (n.startsWith('_') ? `${stem}${n}` : n)), usedBy: cells[2] ?? '' });
  }
  return rows;
}
