import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { copiesOf, splitFlags, type Dockerfile, type Stage } from './dockerfile.js';
import { repoRoot } from './paths.js';

/**
 * Lays out, without a container engine, the files a Dockerfile's runtime stage would contain:
 *  - the `manifests` stage: runs infra/docker/manifests.mjs on this checkout;
 *  - the `deps` stage: copies its manifests and runs its `npm ci …` line with `--offline` (from the
 *    local npm cache, which the repository's own `npm ci` filled);
 *  - the `build` stage: is this checkout after `turbo build` (its WORKDIR /app = the repository root),
 *    and its `node infra/docker/collect-dist.mjs <pkg> <out>` steps run here into temporary folders;
 *  - the runtime stage: every `COPY --from=<stage> <src> <dest>` is copied into a fresh folder.
 * Returns the folder (the runtime stage's WORKDIR), or `skipped` when the npm cache lacks a package.
 */
export type SimResult =
  | { dir: string; skipped?: undefined; failed?: undefined }
  | { dir?: undefined; skipped: string; failed?: undefined }
  | { dir?: undefined; skipped?: undefined; failed: string };

const WORKDIR = '/app';

function stageNamed(df: Dockerfile, name: string): Stage {
  const stage = df.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage "${name}"`);
  return stage;
}

function insideWorkdir(src: string): string {
  const n = normalize(src);
  if (n !== WORKDIR && !n.startsWith(`${WORKDIR}/`)) throw new Error(`COPY source ${src} is outside ${WORKDIR}`);
  return n.slice(WORKDIR.length).replace(/^\//, '');
}

let manifestsDir: string | undefined;

/** Removes the manifests folder shared by every simulation of this process. */
export function cleanupSimulations(): void {
  if (manifestsDir) rmSync(manifestsDir, { recursive: true, force: true });
  manifestsDir = undefined;
}

export function simulateRuntimeStage(df: Dockerfile, work = mkdtempSync(join(tmpdir(), 'dispatch-image-'))): SimResult {
  manifestsDir ??= (() => {
    const out = mkdtempSync(join(tmpdir(), 'dispatch-manifests-'));
    const r = spawnSync(process.execPath, ['infra/docker/manifests.mjs', out], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`manifests.mjs failed: ${r.stderr}`);
    return out;
  })();

  // deps stage: COPY --from=manifests /manifests/prod/ ./ then RUN npm ci …
  const deps = stageNamed(df, 'deps');
  const depsDir = join(work, 'deps');
  mkdirSync(depsDir, { recursive: true });
  for (const copy of copiesOf(deps)) {
    if (copy.from !== 'manifests') throw new Error(`deps stage: unexpected COPY at line ${copy.line}`);
    for (const src of copy.sources) cpSync(join(manifestsDir, src.replace(/^\/manifests\/?/, '')), depsDir, { recursive: true });
  }
  const run = deps.instructions.find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
  if (!run) throw new Error('deps stage has no `npm ci`');
  const npmArgs = splitFlags(run.args).rest.split(' ');
  if (npmArgs[0] !== 'npm') throw new Error(`deps stage: expected "RUN npm ci …", got ${run.args}`);
  const r = spawnSync('npm', [...npmArgs.slice(1), '--offline'], { cwd: depsDir, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) {
    const text = `${r.stdout}\n${r.stderr}`;
    if (/ENOTCACHED|no cached data|request to .* failed/i.test(text)) return { skipped: `npm cache lacks a package for the deps stage (${text.split('\n').find((l) => /ENOTCACHED|cached/i.test(l)) ?? 'ENOTCACHED'})` };
    const lines = text.split('\n').filter((l) => /npm (error|ERR!)/.test(l) && !/^npm (error|ERR!)\s*$/.test(l));
    return { failed: `deps stage \`${npmArgs.join(' ')}\` failed (as \`docker build\` would):\n${lines.slice(0, 8).join('\n')}` };
  }

  // build stage: this checkout (already built) + its collect-dist.mjs steps
  const build = stageNamed(df, 'build');
  const produced = new Map<string, string>();
  for (const ins of build.instructions.filter((i) => i.op === 'RUN')) {
    for (const step of splitFlags(ins.args).rest.split('&&').map((x) => x.trim())) {
      const m = /^node (infra\/docker\/collect-dist\.mjs) (\S+) (\/\S+)$/.exec(step);
      if (!m?.[1] || !m[2] || !m[3]) continue;
      const out = join(work, `build${m[3].replace(/\//g, '_')}`);
      const c = spawnSync(process.execPath, [m[1], m[2], out], { cwd: repoRoot, encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`build stage: ${step} failed: ${c.stderr}`);
      produced.set(normalize(m[3]), out);
    }
  }
  const buildPath = (src: string): string => {
    const n = normalize(src).replace(/\/$/, '');
    const made = produced.get(n);
    if (made) return made;
    return join(repoRoot, insideWorkdir(src));
  };

  // runtime stage (the last one)
  const runtime = df.stages[df.stages.length - 1];
  if (!runtime) throw new Error('no stages');
  const dir = join(work, 'runtime');
  mkdirSync(dir, { recursive: true });
  for (const copy of copiesOf(runtime)) {
    if (copy.from !== 'deps' && copy.from !== 'build') throw new Error(`runtime stage: COPY at line ${copy.line} is not --from=deps or --from=build`);
    for (const src of copy.sources) {
      const from = copy.from === 'deps' ? join(depsDir, insideWorkdir(src)) : buildPath(src);
      if (!existsSync(from)) throw new Error(`runtime stage line ${copy.line}: ${src} does not exist in stage ${copy.from} (${from})`);
      cpSync(from, join(dir, copy.dest), { recursive: true, verbatimSymlinks: true });
    }
  }
  return { dir };
}

/** Names of the packages installed at the top of a folder's node_modules (scoped ones as @scope/name). */
export function installedPackages(dir: string): string[] {
  const lock = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(lock)) return [];
  const json = JSON.parse(readFileSync(lock, 'utf8')) as { packages?: Record<string, unknown> };
  return Object.keys(json.packages ?? {})
    .filter((p) => p.startsWith('node_modules/') && !p.slice('node_modules/'.length).includes('/node_modules/'))
    .map((p) => p.slice('node_modules/'.length));
}
