#!/usr/bin/env node
// Copies the npm manifests out of the build context, for the images' install layers:
//   <out>/full  the root package.json, package-lock.json, .npmrc and every workspace's package.json
//   <out>/prod  the same, with devDependencies removed from every workspace's package.json
// `npm ci --omit=dev --workspace <svc>` alone still installs what other workspaces list (e.g. the
// testkit's Testcontainers, because the testkit is a workspace that services list as a devDependency);
// without devDependencies in the workspace manifests only the service's production closure is installed.
// The lockfile stays the same, so versions are exactly those tested.
// Usage (from the repository root): node infra/docker/manifests.mjs <out>
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node infra/docker/manifests.mjs <out-dir>\n');
  process.exit(2);
}

const root = JSON.parse(readFileSync('package.json', 'utf8'));
const workspaces = [];
for (const pattern of root.workspaces ?? []) {
  if (!pattern.endsWith('/*')) throw new Error(`unsupported workspace pattern ${pattern}`);
  const dir = pattern.slice(0, -2);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    const manifest = join(dir, name, 'package.json');
    if (existsSync(manifest)) workspaces.push(manifest);
  }
}

for (const flavour of ['full', 'prod']) {
  const base = join(out, flavour);
  mkdirSync(base, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
    if (existsSync(file)) copyFileSync(file, join(base, file));
  }
  for (const manifest of workspaces) {
    const target = join(base, manifest);
    mkdirSync(dirname(target), { recursive: true });
    if (flavour === 'full') {
      copyFileSync(manifest, target);
      continue;
    }
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    delete json.devDependencies;
    writeFileSync(target, `${JSON.stringify(json, null, 2)}\n`);
  }
}
process.stdout.write(`${workspaces.length} workspace manifests written to ${out}/{full,prod}\n`);
