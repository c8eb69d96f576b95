import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { k8sDir, repoRoot } from './paths.js';

/** kubectl on PATH or at /usr/bin/kubectl, or undefined. */
export function findKubectl(): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(':'), '/usr/bin', '/usr/local/bin']) {
    if (dir && existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  }
  return undefined;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export interface Overlay {
  env: string;
  /** The service folder name (one deployable). */
  service: string;
  dir: string;
}

/** Every `infra/k8s/overlays/<env>/<service>/kustomization.yaml`. */
export function listOverlays(): Overlay[] {
  const out: Overlay[] = [];
  const root = join(k8sDir, 'overlays');
  for (const env of readdirSync(root).sort()) {
    const envDir = join(root, env);
    if (!existsSync(join(envDir, 'kustomization.yaml')) && !readdirSync(envDir).length) continue;
    for (const service of readdirSync(envDir, { withFileTypes: true })) {
      if (!service.isDirectory()) continue;
      const dir = join(envDir, service.name);
      if (existsSync(join(dir, 'kustomization.yaml'))) out.push({ env, service: service.name, dir });
    }
  }
  return out;
}

export const listEnvironments = (): string[] => [...new Set(listOverlays().map((o) => o.env))];

/** `kubectl kustomize <dir>` parsed into objects; throws with kubectl's message. */
export function render(kubectl: string, dir: string): K8sObject[] {
  const text = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const docs = parseAllDocuments(text);
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${relative(repoRoot, dir)}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${relative(repoRoot, dir)}: a document is not an object`);
    const obj = value as Partial<K8sObject>;
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') {
      throw new Error(`${relative(repoRoot, dir)}: object without apiVersion/kind/metadata.name`);
    }
    objects.push(obj as K8sObject);
  }
  return objects;
}
