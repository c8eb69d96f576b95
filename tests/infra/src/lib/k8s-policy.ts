import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { K8sObject } from './kustomize.js';
import { k8sDir } from './paths.js';

// Narrow views of the parts of rendered objects the policy checks read.
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}
export interface Probe {
  exec?: { command: string[] };
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}
export interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext & { runAsGroup?: number };
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}
export interface DeploymentObj extends K8sObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
export interface ConfigMapObj extends K8sObject {
  data?: Record<string, string>;
}
export interface HpaObj extends K8sObject {
  spec: { scaleTargetRef: { apiVersion: string; kind: string; name: string }; minReplicas?: number; maxReplicas: number };
}
export interface PdbObj extends K8sObject {
  spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number | string; minAvailable?: number | string };
}
export interface ServiceObj extends K8sObject {
  spec: { selector: Record<string, string>; ports: { name?: string; port: number; targetPort?: string | number }[] };
}
export interface NetworkPolicyObj extends K8sObject {
  spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes?: string[] };
}

export const ofKind = <T extends K8sObject>(objs: K8sObject[], kind: string): T[] => objs.filter((o) => o.kind === kind) as T[];

/** `a` ⊆ `b` (a label selector matching a label set). */
export const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** CPU in millicores, memory in bytes: Kubernetes quantities such as 250m, "1", 192Mi, 1G. */
export function quantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m?.[1]) throw new Error(`bad quantity ${q}`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const factors: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  const f = factors[unit];
  if (f === undefined) throw new Error(`bad quantity unit in ${q}`);
  return n * f;
}

/** Image reference → { name, tag, digest }. */
export function parseImage(image: string): { name: string; tag: string | undefined; digest: string | undefined } {
  const [withoutDigest = '', digest] = image.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, tag: undefined, digest };
}

/** Names (ending so; e.g. PASSWORD_SCRYPT_N is a parameter) whose values are credentials: they must come from a Secret, never a literal or a ConfigMap. */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|SIGNING_KEYS?|PRIVATE_KEY|API_KEY|CREDENTIALS?)$/;
/** A URL with a password in it (`scheme://user:pass@host`). */
export const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i;

/** `KEY=VALUE` lines of a `*.env.example` (comments and blanks skipped). */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}

/** The documented example of a Secret that a service references: infra/k8s/base/<service>/<secret>.env.example. */
export function secretExamplePath(service: string, secret: string): string | undefined {
  const p = join(k8sDir, 'base', service, `${secret}.env.example`);
  return existsSync(p) ? p : undefined;
}
