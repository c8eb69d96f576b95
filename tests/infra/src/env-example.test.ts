import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envNamesByDeployable, envNamesIn } from './lib/env-names.js';
import { SECRET_NAME, URL_WITH_PASSWORD } from './lib/k8s-policy.js';
import { deployables, repoRoot } from './lib/paths.js';

// .env.example at the repository root documents every variable a service or the embedded default reads.

const examplePath = join(repoRoot, '.env.example');
const text = existsSync(examplePath) ? readFileSync(examplePath, 'utf8') : '';
/** `NAME=value` and optional `# NAME=value` lines. */
const documented = new Map<string, string>();
for (const line of text.split('\n')) {
  const m = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
  if (m?.[1]) documented.set(m[1], m[2] ?? '');
}

const embeddedDir = 'apps/embedded';
const reads = new Map<string, Set<string>>(await envNamesByDeployable());
reads.set('embedded', await envNamesIn(embeddedDir, ['src/config.ts']));

describe('.env.example', () => {
  it('exists', () => {
    expect(existsSync(examplePath)).toBe(true);
    expect(documented.size).toBeGreaterThan(10);
  });

  it('the env schemas are built (else the names could not be read)', () => {
    for (const dir of [...deployables.map((d) => d.dir).filter((d) => d.startsWith('services/')), embeddedDir]) {
      expect(existsSync(join(repoRoot, dir, 'dist', 'config.js')), `${dir}/dist/config.js (run: npx turbo run build)`).toBe(true);
    }
  });

  it.each([...reads.keys()].map((name) => [name] as const))('documents every variable %s reads', (name) => {
    const missing = [...(reads.get(name) ?? [])].filter((n) => !documented.has(n)).sort();
    expect(missing, `add them to .env.example`).toEqual([]);
  });

  it('documents only variables some service reads', () => {
    const all = new Set([...reads.values()].flatMap((s) => [...s]));
    expect([...documented.keys()].filter((n) => !all.has(n))).toEqual([]);
  });

  it('holds no real secret: secrets and passwords in URLs are <placeholders>', () => {
    for (const [name, value] of documented) {
      if (SECRET_NAME.test(name)) expect(value, name).toMatch(/<[^>]+>/);
      if (URL_WITH_PASSWORD.test(value)) expect(value, name).toMatch(/:<[^>]+>@/);
    }
  });
});
