#!/usr/bin/env node
// Copies what an image runs: <workspace>/dist of one package and of every workspace in its
// production dependency closure ("dependencies", transitively; never "devDependencies"), to
// <out>/<workspace folder>/dist. The runtime stage copies <out> over the production node_modules, so
// a workspace dependency added to a package.json needs no Dockerfile change.
// Usage (from the repository root, after `turbo run build`): node infra/docker/collect-dist.mjs <package> <out>
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  process.stderr.write('usage: node infra/docker/collect-dist.mjs <package> <out-dir>\n');
  process.exit(2);
}

const root = JSON.parse(readFileSync('package.json', 'utf8'));
const workspaces = new Map();
for (const pattern of root.workspaces ?? []) {
  if (!pattern.endsWith('/*')) throw new Error(`unsupported workspace pattern ${pattern}`);
  const dir = pattern.slice(0, -2);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const manifest = join(dir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    workspaces.set(json.name, { dir: join(dir, name), json });
  }
}

const closure = new Set();
const visit = (name) => {
  if (closure.has(name) || !workspaces.has(name)) return;
  closure.add(name);
  for (const dep of Object.keys(workspaces.get(name).json.dependencies ?? {})) visit(dep);
};
if (!workspaces.has(pkg)) throw new Error(`${pkg} is not a workspace`);
visit(pkg);

for (const name of [...closure].sort()) {
  const { dir } = workspaces.get(name);
  const dist = join(dir, 'dist');
  if (!existsSync(dist)) throw new Error(`${name}: ${dist} is missing (run turbo run build --filter=${pkg}...)`);
  cpSync(dist, join(out, dir, 'dist'), { recursive: true });
  process.stdout.write(`${name} → ${join(out, dir, 'dist')}\n`);
}
