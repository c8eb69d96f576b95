import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { K8sObject } from './kustomize.js';

interface Validatable {
  validate(): void;
}

/** apiVersion/kind → the kubernetes-models class whose validate() checks the object against its JSON schema. */
const models: Record<string, (data: K8sObject) => Validatable> = {
  'apps/v1/Deployment': (d) => new Deployment(d as never),
  'autoscaling/v2/HorizontalPodAutoscaler': (d) => new HorizontalPodAutoscaler(d as never),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d as never),
  'networking.k8s.io/v1/NetworkPolicy': (d) => new NetworkPolicy(d as never),
  'v1/ConfigMap': (d) => new ConfigMap(d as never),
  'v1/Secret': (d) => new Secret(d as never),
  'v1/Service': (d) => new Service(d as never),
  'v1/ServiceAccount': (d) => new ServiceAccount(d as never),
};

export const modelKey = (o: K8sObject): string => `${o.apiVersion}/${o.kind}`;
export const hasModel = (o: K8sObject): boolean => modelKey(o) in models;

/** Throws the schema errors of one object (or that no schema is known for its kind). */
export function validateObject(o: K8sObject): void {
  const make = models[modelKey(o)];
  if (!make) throw new Error(`no schema known for ${modelKey(o)} (add its kubernetes-models class to k8s-schema.ts)`);
  make(o).validate();
}

// kubernetes-models' schemas accept unknown fields (a typo such as `readinesProbe` passes), so
// unknownFields() walks the object along the models' TypeScript declarations instead: every key
// must be a property of the declared interface.
const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve('kubernetes-models'));
const nodeModules = dirname(modelsDir);

interface Shape {
  props: Map<string, { type: string; file: string | undefined }>;
}
const shapes = new Map<string, Shape | null>();

function resolveDts(fromFile: string, spec: string): string | undefined {
  const candidates = spec.startsWith('.')
    ? [join(dirname(fromFile), `${spec}.d.ts`)]
    : [join(nodeModules, `${spec}.d.ts`), join(modelsDir, 'node_modules', `${spec}.d.ts`)];
  return candidates.find((c) => existsSync(c));
}

/** The properties of the first interface in a declaration file, each with its type and the file declaring that type. */
function shapeOf(file: string): Shape | null {
  const cached = shapes.get(file);
  if (cached !== undefined) return cached;
  const text = readFileSync(file, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
    const resolved = resolveDts(file, m[2] ?? '');
    if (!resolved) continue;
    for (const name of (m[1] ?? '').split(',')) imports.set(name.trim(), resolved);
  }
  const body = /export interface I\w+(?: extends ([\w, ]+))? \{\n([\s\S]*?)\n\}/.exec(text);
  if (!body) {
    shapes.set(file, null);
    return null;
  }
  const props = new Map<string, { type: string; file: string | undefined }>();
  if (body[1]?.includes('TypeMeta')) {
    props.set('apiVersion', { type: 'string', file: undefined });
    props.set('kind', { type: 'string', file: undefined });
  }
  // `    "name"?: Type;` — a map type spans several lines and starts with `{`.
  for (const m of (body[2] ?? '').matchAll(/^ {4}"([^"]+)"\??: (.+)$/gm)) {
    const type = (m[2] ?? '').replace(/;$/, '');
    const ref = /^(?:Array<)?(I\w+)>?$/.exec(type)?.[1];
    props.set(m[1] ?? '', { type, file: ref ? imports.get(ref) : undefined });
  }
  const shape = { props };
  shapes.set(file, shape);
  return shape;
}

const topFiles: Record<string, string> = {
  'apps/v1/Deployment': 'apps/v1/Deployment.d.ts',
  'autoscaling/v2/HorizontalPodAutoscaler': 'autoscaling/v2/HorizontalPodAutoscaler.d.ts',
  'policy/v1/PodDisruptionBudget': 'policy/v1/PodDisruptionBudget.d.ts',
  'networking.k8s.io/v1/NetworkPolicy': 'networking.k8s.io/v1/NetworkPolicy.d.ts',
  'v1/ConfigMap': 'v1/ConfigMap.d.ts',
  'v1/Secret': 'v1/Secret.d.ts',
  'v1/Service': 'v1/Service.d.ts',
  'v1/ServiceAccount': 'v1/ServiceAccount.d.ts',
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths of keys that the object's declared type does not have, e.g. `spec.template.spec.containers[0].readinesProbe`. */
export function unknownFields(o: K8sObject): string[] {
  const top = topFiles[modelKey(o)];
  if (!top) return [`(no declaration for ${modelKey(o)})`];
  const problems: string[] = [];
  const walk = (value: Record<string, unknown>, file: string, path: string) => {
    const shape = shapeOf(file);
    if (!shape) return;
    for (const [key, child] of Object.entries(value)) {
      const prop = shape.props.get(key);
      const here = path ? `${path}.${key}` : key;
      if (!prop) {
        problems.push(here);
        continue;
      }
      if (!prop.file) continue;
      if (prop.type.startsWith('Array<') && Array.isArray(child)) {
        child.forEach((item, i) => {
          if (isPlainObject(item) && prop.file) walk(item, prop.file, `${here}[${i}]`);
        });
      } else if (isPlainObject(child)) {
        walk(child, prop.file, here);
      }
    }
  };
  walk(o as unknown as Record<string, unknown>, join(modelsDir, top), '');
  return problems;
}
