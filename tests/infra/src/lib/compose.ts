import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ComposeHealthcheck {
  test: string[] | string;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: ComposeHealthcheck;
  depends_on?: Record<string, { condition: string }> | string[];
  secrets?: (string | { source: string; target?: string })[];
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
  user?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string; environment?: string }>;
  volumes?: Record<string, unknown>;
}

/** `${VAR:-default}`, `${VAR-default}`, `${VAR}` and `$VAR`, as compose interpolates them (from `vars`, usually empty). */
export function interpolate(value: string, vars: Record<string, string | undefined> = {}): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_, a: string | undefined, def: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    const v = vars[name];
    return v !== undefined && v !== '' ? v : (def ?? '');
  });
}

/** Parses a compose file with YAML merge keys (`<<: *anchor`) resolved. */
export function loadCompose(path: string): ComposeFile {
  const doc: unknown = parse(readFileSync(path, 'utf8'), { merge: true });
  if (typeof doc !== 'object' || doc === null || !('services' in doc)) throw new Error(`${path}: no services`);
  return doc as ComposeFile;
}

/** A service's environment as a map, interpolated with `vars` (defaults when unset). */
export function environmentOf(service: ComposeService, vars: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    for (const entry of env) {
      const i = entry.indexOf('=');
      if (i > 0) out[entry.slice(0, i)] = interpolate(entry.slice(i + 1), vars);
    }
  } else {
    for (const [k, v] of Object.entries(env)) out[k] = v === null ? '' : interpolate(String(v), vars);
  }
  return out;
}

export const healthTest = (h: ComposeHealthcheck): string[] => {
  if (typeof h.test === 'string') return ['CMD-SHELL', h.test];
  return h.test;
};
