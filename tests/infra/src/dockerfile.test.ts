import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { copiesOf, envOf, execForm, healthcheckOf, lastOf, readDockerfile, splitFlags, type Stage } from './lib/dockerfile.js';
import { SECRET_NAME } from './lib/k8s-policy.js';
import { deployables, dockerfilePath, entryOf, infraDir, isBuilt, repoRoot, type Deployable } from './lib/paths.js';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const workspaceDirs = (): string[] => {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.flatMap((pattern) => {
    const dir = pattern.replace(/\/\*$/, '');
    if (!existsSync(join(repoRoot, dir))) return [];
    return readdirSync(join(repoRoot, dir))
      .map((n) => `${dir}/${n}`)
      .filter((p) => existsSync(join(repoRoot, p, 'package.json')));
  });
};
const manifests = new Map(
  workspaceDirs().map((dir) => {
    const m = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as Manifest;
    return [m.name, { dir, manifest: m }] as const;
  }),
);

/** The workspaces a package needs at run time: its production dependencies, transitively (devDependencies excluded). */
function productionWorkspaceClosure(pkg: string, seen = new Set<string>()): Set<string> {
  const entry = manifests.get(pkg);
  if (!entry || seen.has(pkg)) return seen;
  seen.add(pkg);
  for (const dep of Object.keys(entry.manifest.dependencies ?? {})) if (manifests.has(dep)) productionWorkspaceClosure(dep, seen);
  return seen;
}

const runtimeOf = (stages: Stage[]): Stage => {
  const s = stages.at(-1);
  if (!s) throw new Error('no stage');
  return s;
};

describe.each(deployables.map((d) => [d.name, d] as const))('infra/docker/%s.Dockerfile', (_name, d: Deployable) => {
  const path = dockerfilePath(d.name);
  const df = () => readDockerfile(path);

  it('exists and is multi-stage on node 20/22 slim images', () => {
    expect(existsSync(path)).toBe(true);
    const { stages } = df();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from, `stage ${s.name}`).toMatch(/^node:(20|22)(\.\d+)*(-[a-z]+)?-slim(@sha256:[0-9a-f]{64})?$/);
    expect(new Set(stages.map((s) => s.name)).size).toBe(stages.length);
  });

  it(`builds with npm ci and turbo for ${d.pkg} and the workspaces it uses`, () => {
    const build = df().stages.find((s) => s.name === 'build');
    expect(build).toBeDefined();
    const runs = (build?.instructions ?? []).filter((i) => i.op === 'RUN').map((i) => splitFlags(i.args).rest);
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => r.includes(`turbo run build --filter=${d.pkg}...`))).toBe(true);
  });

  it('installs only production dependencies of this workspace in the runtime image', () => {
    const deps = df().stages.find((s) => s.name === 'deps');
    const run = deps?.instructions.find((i) => i.op === 'RUN' && i.args.includes('npm ci'));
    expect(run).toBeDefined();
    const cmd = splitFlags(run?.args ?? '').rest;
    expect(cmd).toContain('--omit=dev');
    expect(cmd).toContain(`--workspace ${d.pkg}`);
    expect(cmd).toContain('--include-workspace-root=false');
    const copies = copiesOf(deps ?? { name: '', from: '', instructions: [] });
    expect(copies.map((c) => `${c.from} ${c.sources.join(' ')}`), 'deps installs from the manifests without devDependencies').toEqual(['manifests /manifests/prod/']);
  });

  it('copies the production node_modules and the built dist of the service and its production workspace dependencies, nothing else', () => {
    const { stages } = df();
    const build = stages.find((s) => s.name === 'build');
    const collect = (build?.instructions ?? [])
      .filter((i) => i.op === 'RUN')
      .flatMap((i) => splitFlags(i.args).rest.split('&&').map((x) => x.trim()))
      .find((step) => step.startsWith('node infra/docker/collect-dist.mjs'));
    expect(collect).toBe(`node infra/docker/collect-dist.mjs ${d.pkg} /dist`);
    const runtime = runtimeOf(stages);
    expect(copiesOf(runtime).map((c) => `${c.from ?? '(context)'} ${c.sources.join(' ')} ${c.dest}`)).toEqual(['deps /app/ ./', 'build /dist/ ./']);
  });

  it('collect-dist.mjs gathers exactly the dist folders of its production workspace closure', () => {
    const out = mkdtempSync(join(tmpdir(), 'dispatch-dist-'));
    const r = spawnSync(process.execPath, [join(infraDir, 'docker', 'collect-dist.mjs'), d.pkg, out], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const expected = [...productionWorkspaceClosure(d.pkg)].map((pkg) => manifests.get(pkg)?.dir ?? '?').sort();
    const found = ['packages', 'services', 'apps', 'examples', 'tests']
      .filter((top) => existsSync(join(out, top)))
      .flatMap((top) => readdirSync(join(out, top)).map((n) => `${top}/${n}`))
      .sort();
    expect(found).toEqual(expected);
    for (const dir of found) {
      expect(readdirSync(join(out, dir))).toEqual(['dist']);
      expect(existsSync(join(out, dir, 'dist', 'index.js')) || existsSync(join(out, dir, 'dist', 'main.js')), `${dir}/dist has code`).toBe(true);
    }
    expect(found, 'never a test-only workspace').not.toContain('packages/testkit');
    expect(existsSync(join(out, entryOf(d))), `${entryOf(d)} is collected`).toBe(true);
    rmSync(out, { recursive: true, force: true });
  });

  it('runs as a numeric non-root user (kubelet can verify runAsNonRoot; k8s runAsUser is 1000)', () => {
    const user = lastOf(runtimeOf(df().stages), 'USER')?.args;
    expect(user).toBeDefined();
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user?.split(':')[0])).toBe(1000);
  });

  it('starts with CMD ["node", "<workspace>/dist/main.js"] relative to WORKDIR /app, the file turbo build produces', () => {
    const runtime = runtimeOf(df().stages);
    expect(lastOf(runtime, 'WORKDIR')?.args).toBe('/app');
    expect(lastOf(runtime, 'ENTRYPOINT')).toBeUndefined();
    const cmd = execForm(lastOf(runtime, 'CMD')?.args ?? '');
    expect(cmd).toEqual(['node', entryOf(d)]);
    expect(isBuilt(d), `${entryOf(d)} exists (run: npx turbo run build)`).toBe(true);
  });

  it('has a HEALTHCHECK: a node one-liner (HTTP /healthz on its port for HTTP services, /readyz on OPS_PORT for the others), with an interval and timeout', () => {
    const runtime = runtimeOf(df().stages);
    const hc = healthcheckOf(runtime);
    expect(hc).toBeDefined();
    if (!hc) return;
    expect(hc.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(() => new Script(hc.command[2] ?? ''), 'the one-liner is valid JavaScript').not.toThrow();
    expect(hc.flags['interval']).toBeDefined();
    expect(hc.flags['timeout']).toBeDefined();
    const exposed = runtime.instructions.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    const env = envOf(runtime);
    const mesh = d.name !== 'orders-upstream';
    // Every mesh service serves /healthz, /readyz and /metrics on OPS_PORT (9464 by default).
    if (mesh) expect(env['OPS_PORT'], 'OPS_PORT is the ops port, 9464').toBe('9464');
    if (d.http) {
      const portVar = d.name === 'edge' ? 'EDGE_PORT' : 'ORDERS_PORT';
      expect(hc.command[2]).toContain('/healthz');
      expect(hc.command[2]).toContain(`process.env.${portVar}`);
      expect(exposed).toEqual(mesh ? [env[portVar], env['OPS_PORT']] : [env[portVar]]);
      expect(env[d.name === 'edge' ? 'EDGE_HOST' : 'ORDERS_HOST'], 'listens on all interfaces in a container').toBe('0.0.0.0');
    } else {
      expect(hc.command[2], 'HTTP GET /readyz on the ops port').toContain('/readyz');
      expect(hc.command[2]).toContain('process.env.OPS_PORT||9464');
      expect(hc.command[2]).not.toContain('process.kill');
      expect(exposed, 'a NATS service listens only on its ops port').toEqual([env['OPS_PORT']]);
    }
  });

  it('bakes no secret into the image', () => {
    for (const s of df().stages) for (const k of Object.keys(envOf(s))) expect(SECRET_NAME.test(k), k).toBe(false);
    for (const s of df().stages) for (const a of s.instructions.filter((i) => i.op === 'ARG')) expect(SECRET_NAME.test(a.args), a.args).toBe(false);
  });
});

describe('.dockerignore and infra/docker/manifests.mjs', () => {
  it('.dockerignore keeps installed/built output, git data, env files and secrets out of the build context', () => {
    const lines = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const required of ['**/node_modules', '**/dist', '.git', '**/.env', 'infra/secrets', '.dispatch']) expect(lines).toContain(required);
    expect(lines, 'the Dockerfiles need infra/docker/manifests.mjs in the context').not.toContain('infra/docker');
    expect(lines, 'npm ci needs the lockfile').not.toContain('package-lock.json');
  });

  it('writes every workspace manifest: full ones unchanged, production ones without devDependencies', () => {
    const out = mkdtempSync(join(tmpdir(), 'dispatch-manifests-'));
    const r = spawnSync(process.execPath, [join(infraDir, 'docker', 'manifests.mjs'), out], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const file of ['package.json', 'package-lock.json']) {
      expect(readFileSync(join(out, 'full', file), 'utf8')).toBe(readFileSync(join(repoRoot, file), 'utf8'));
      expect(readFileSync(join(out, 'prod', file), 'utf8')).toBe(readFileSync(join(repoRoot, file), 'utf8'));
    }
    for (const { dir, manifest } of manifests.values()) {
      expect(readFileSync(join(out, 'full', dir, 'package.json'), 'utf8')).toBe(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8'));
      const prod = JSON.parse(readFileSync(join(out, 'prod', dir, 'package.json'), 'utf8')) as Manifest;
      expect(prod.devDependencies).toBeUndefined();
      expect(prod.dependencies).toEqual(manifest.dependencies);
    }
    rmSync(out, { recursive: true, force: true });
  });
});
