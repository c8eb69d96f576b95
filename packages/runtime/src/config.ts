import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[], service: string) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once. Each `NAME_FILE` variable, for a NAME in the schema, is read from its file into `NAME`
 * (for secrets mounted as files), then the whole environment is checked by one schema and
 * every problem is reported at once.
 */
export function loadConfig<S extends z.ZodObject>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  const known = new Set(Object.keys(schema.shape));
  for (const [name, value] of Object.entries(env)) {
    if (!name.endsWith('_FILE') || value === undefined) continue;
    const target = name.slice(0, -'_FILE'.length);
    // Only this service's own variables: other tools' *_FILE variables are none of our business.
    if (!known.has(target)) continue;
    try {
      resolved[target] = readFileSync(value, 'utf8').trim();
    } catch (err) {
      problems.push(`${name}: cannot read ${value} (${(err as Error).message})`);
    }
  }
  const result = schema.safeParse(resolved);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.') || '(env)'}: ${issue.message}`);
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems, service);
  return result.data;
}

/** Common schema pieces for environment variables. */
export const env = {
  url: (protocols: string[]) =>
    z.string().refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    }, `must be a URL (${protocols.join(', ')})`),
  /** NATS_URL: one or more nats:// (tls://, ws://, wss://) URLs, comma-separated. */
  natsServers: () =>
    z.string().refine((v) => {
      const url = env.url(['nats', 'tls', 'ws', 'wss']);
      return v.split(',').every((part) => url.safeParse(part.trim()).success);
    }, 'must be nats:// URL(s), comma-separated'),
  /** OPS_PORT: the service's /healthz, /readyz and /metrics server (0 = any free port). */
  opsPort: () => z.coerce.number().int().min(0).max(65535).default(9464),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback),
  namespace: () =>
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
      .default('dispatch'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Runs a service's main: prints one clear message and exits non-zero on bad config. */
export async function runMain(service: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`${service}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}
