import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnvName, envNamesByDeployable } from './lib/env-names.js';
import { unknownFields, validateObject } from './lib/k8s-schema.js';
import {
  SECRET_NAME,
  URL_WITH_PASSWORD,
  ofKind,
  parseImage,
  quantity,
  readEnvFile,
  secretExamplePath,
  selects,
  type ConfigMapObj,
  type Container,
  type DeploymentObj,
  type HpaObj,
  type NetworkPolicyObj,
  type PdbObj,
  type Probe,
  type ServiceObj,
} from './lib/k8s-policy.js';
import { findKubectl, listEnvironments, listOverlays, render, type K8sObject } from './lib/kustomize.js';
import { deployable, deployables, k8sDir, meshServices } from './lib/paths.js';

const kubectl = findKubectl();
const envReads = await envNamesByDeployable();
const skipNote = kubectl ? '' : ' — SKIPPED: kubectl not found (PATH, /usr/bin, /usr/local/bin); install kubectl >= 1.27 to run these checks';
if (!kubectl) console.warn(`[infra-checks] kubectl not found: the kustomize checks are skipped${skipNote}`);

const overlays = listOverlays();
const rendered = new Map<string, K8sObject[]>();
const renderOnce = (dir: string): K8sObject[] => {
  let objs = rendered.get(dir);
  if (!objs) {
    if (!kubectl) throw new Error('kubectl missing');
    objs = render(kubectl, dir);
    rendered.set(dir, objs);
  }
  return objs;
};

const probesOf = (c: Container): [string, Probe | undefined][] => [
  ['livenessProbe', c.livenessProbe],
  ['readinessProbe', c.readinessProbe],
];

describe('k8s layout', () => {
  it('has a base per deployable and an overlay per service and environment (staging also runs the example upstream)', () => {
    const bases = readdirSync(join(k8sDir, 'base')).sort();
    expect(bases).toEqual(deployables.map((d) => d.name).sort());
    expect(listEnvironments().sort()).toEqual(['production', 'staging']);
    for (const env of listEnvironments()) {
      const services = overlays.filter((o) => o.env === env).map((o) => o.service);
      for (const s of meshServices) expect(services, `${env} overlays`).toContain(s.name);
      for (const s of services) expect(deployables.map((d) => d.name), `${env}/${s} is a known deployable`).toContain(s);
    }
    expect(overlays.filter((o) => o.env === 'staging').map((o) => o.service)).toContain('orders-upstream');
  });
});

describe.skipIf(!kubectl)(`kubectl kustomize, every service × overlay${skipNote}`, () => {
  describe.each(overlays.map((o) => [`${o.env}/${o.service}`, o] as const))('%s', (_label, overlay) => {
    const service = deployable(overlay.service);
    const objs = () => renderOnce(overlay.dir);
    const deploymentOf = () => {
      const deps = ofKind<DeploymentObj>(objs(), 'Deployment');
      expect(deps.map((d) => d.metadata.name)).toEqual([service.name]);
      const dep = deps[0];
      if (!dep) throw new Error('no Deployment');
      return dep;
    };
    const containerOf = () => {
      const c = deploymentOf().spec.template.spec.containers.find((x) => x.name === service.name);
      if (!c) throw new Error(`no container named ${service.name}`);
      return c;
    };

    it('renders, and every object validates against its Kubernetes schema with no unknown fields', () => {
      const problems: string[] = [];
      for (const o of objs()) {
        try {
          validateObject(o);
        } catch (err) {
          problems.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
        }
        for (const f of unknownFields(o)) problems.push(`${o.kind}/${o.metadata.name}: unknown field ${f}`);
      }
      expect(problems).toEqual([]);
      expect(objs().length).toBeGreaterThanOrEqual(5);
    });

    it('puts everything in one namespace with unique names, and ships no Secret values', () => {
      const namespaces = new Set(objs().map((o) => o.metadata.namespace));
      expect([...namespaces]).toHaveLength(1);
      expect([...namespaces][0]).toMatch(/^[a-z0-9-]+$/);
      const keys = objs().map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(ofKind(objs(), 'Secret'), 'Secrets are created by ops, never rendered from git').toEqual([]);
    });

    it('runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
      const pod = deploymentOf().spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.enableServiceLinks, 'service links would inject e.g. EDGE_PORT=tcp://… into the environment').toBe(false);
      expect(pod.serviceAccountName).toBe(service.name);
      expect(ofKind(objs(), 'ServiceAccount').map((o) => o.metadata.name)).toContain(service.name);
      for (const c of pod.containers) {
        const sc = c.securityContext;
        expect(sc?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, c.name).toBe(true);
        expect(sc?.allowPrivilegeEscalation, c.name).toBe(false);
        expect(sc?.readOnlyRootFilesystem, c.name).toBe(true);
        expect(sc?.privileged ?? false, c.name).toBe(false);
        expect(sc?.capabilities?.drop, c.name).toContain('ALL');
        expect(sc?.capabilities?.add ?? [], c.name).toEqual([]);
        expect((sc?.seccompProfile ?? pod.securityContext?.seccompProfile)?.type, c.name).toBe('RuntimeDefault');
      }
    });

    it('sets CPU and memory requests and limits (requests <= limits)', () => {
      for (const c of deploymentOf().spec.template.spec.containers) {
        for (const r of ['cpu', 'memory']) {
          const req = c.resources?.requests?.[r];
          const lim = c.resources?.limits?.[r];
          expect(req, `${c.name} requests.${r}`).toBeDefined();
          expect(lim, `${c.name} limits.${r}`).toBeDefined();
          if (req !== undefined && lim !== undefined) expect(quantity(req), `${c.name} ${r}`).toBeLessThanOrEqual(quantity(lim));
        }
      }
    });

    it('has liveness and readiness probes: HTTP /healthz and /readyz on a declared port where the service listens', () => {
      const c = containerOf();
      const portNames = new Set((c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
      for (const [kind, probe] of probesOf(c)) {
        expect(probe, kind).toBeDefined();
        if (!probe) continue;
        const handlers = [probe.exec, probe.httpGet, probe.tcpSocket].filter(Boolean);
        expect(handlers, `${kind} has one handler`).toHaveLength(1);
        expect(probe.httpGet, `${kind} is an HTTP GET`).toBeDefined();
        if (probe.httpGet) expect(portNames.has(probe.httpGet.port), `${kind} port ${probe.httpGet.port}`).toBe(true);
        if (!service.http) expect(probe.httpGet?.port, `${kind} of a NATS service uses the ops port`).toBe('ops');
      }
      if (service.name !== 'orders-upstream') {
        expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      }
    });

    it('declares the ops port (OPS_PORT: /healthz, /readyz, /metrics) as container port "ops"', () => {
      if (service.name === 'orders-upstream') return;
      const c = containerOf();
      const data = Object.assign({}, ...ofKind<ConfigMapObj>(objs(), 'ConfigMap').map((cm) => cm.data ?? {})) as Record<string, string>;
      expect(data['OPS_PORT'], 'OPS_PORT in the ConfigMap').toBe('9464');
      expect((c.ports ?? []).find((p) => p.name === 'ops')?.containerPort).toBe(Number(data['OPS_PORT']));
    });

    it('leaves the replica count to a HorizontalPodAutoscaler, and has a PodDisruptionBudget that selects its pods', () => {
      const dep = deploymentOf();
      expect(dep.spec.replicas, 'spec.replicas would fight the HPA on every apply').toBeUndefined();
      expect(selects(dep.spec.selector.matchLabels, dep.spec.template.metadata.labels)).toBe(true);
      const hpas = ofKind<HpaObj>(objs(), 'HorizontalPodAutoscaler');
      expect(hpas).toHaveLength(1);
      const hpa = hpas[0];
      expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: service.name });
      expect(hpa?.spec.minReplicas ?? 1).toBeGreaterThanOrEqual(1);
      expect(hpa?.spec.minReplicas ?? 1).toBeLessThanOrEqual(hpa?.spec.maxReplicas ?? 0);
      if (overlay.env === 'production') expect(hpa?.spec.minReplicas, 'production keeps >= 2 instances').toBeGreaterThanOrEqual(2);
      const pdbs = ofKind<PdbObj>(objs(), 'PodDisruptionBudget');
      expect(pdbs).toHaveLength(1);
      const pdb = pdbs[0];
      expect(selects(pdb?.spec.selector.matchLabels, dep.spec.template.metadata.labels), 'PDB selects the pods').toBe(true);
      // A PDB that can never be satisfied blocks node drains: with one replica, minAvailable 1 would.
      if (pdb?.spec.minAvailable !== undefined) expect(Number(pdb.spec.minAvailable)).toBeLessThan(hpa?.spec.minReplicas ?? 1);
      else expect(Number(pdb?.spec.maxUnavailable)).toBeGreaterThanOrEqual(1);
    });

    it('has a Service exactly when the container declares ports, routing to a declared port', () => {
      const dep = deploymentOf();
      const c = containerOf();
      const services = ofKind<ServiceObj>(objs(), 'Service');
      // The ops port is reached by the kubelet and Prometheus on the pod, never through a Service.
      if ((c.ports ?? []).filter((p) => p.name !== 'ops').length === 0) {
        expect(services, 'a NATS service (ops port only) needs no Service').toEqual([]);
        return;
      }
      expect(services).toHaveLength(1);
      const svc = services[0];
      expect(selects(svc?.spec.selector, dep.spec.template.metadata.labels)).toBe(true);
      const declared = new Set((c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
      for (const p of svc?.spec.ports ?? []) expect(declared.has(p.targetPort ?? p.port), `targetPort ${p.targetPort}`).toBe(true);
      for (const p of svc?.spec.ports ?? []) expect([p.targetPort, p.port], 'the Service never exposes the ops port').not.toContain('ops');
    });

    it('has a NetworkPolicy for its pods', () => {
      const dep = deploymentOf();
      const nps = ofKind<NetworkPolicyObj>(objs(), 'NetworkPolicy');
      expect(nps.length).toBeGreaterThanOrEqual(1);
      expect(nps.some((np) => selects(np.spec.podSelector.matchLabels, dep.spec.template.metadata.labels) && np.spec.policyTypes?.includes('Ingress'))).toBe(true);
    });

    it('configures only variables the service reads, takes credentials from Secrets, and documents every Secret key', () => {
      const c = containerOf();
      const reads = envReads.get(service.name) ?? new Set<string>();
      const configMaps = new Map(ofKind<ConfigMapObj>(objs(), 'ConfigMap').map((cm) => [cm.metadata.name, cm]));
      const problems: string[] = [];
      const literal = (name: string, value: string, where: string) => {
        if (SECRET_NAME.test(name)) problems.push(`${where}: ${name} is a credential and must come from a Secret`);
        if (URL_WITH_PASSWORD.test(value)) problems.push(`${where}: ${name} has a password in it; use a Secret`);
      };
      for (const from of c.envFrom ?? []) {
        if (from.secretRef) problems.push(`envFrom secretRef ${from.secretRef.name}: list keys with secretKeyRef so each is documented`);
        const ref = from.configMapRef?.name;
        if (!ref) continue;
        const cm = configMaps.get(ref);
        if (!cm) {
          problems.push(`envFrom configMapRef ${ref} is not in the render`);
          continue;
        }
        for (const [k, v] of Object.entries(cm.data ?? {})) {
          if (!reads.has(baseEnvName(k))) problems.push(`ConfigMap ${ref}: ${k} is read by no schema of ${service.name}`);
          literal(k, v, `ConfigMap ${ref}`);
        }
      }
      for (const e of c.env ?? []) {
        if (!reads.has(baseEnvName(e.name))) problems.push(`env ${e.name} is read by no schema of ${service.name}`);
        if (e.value !== undefined) literal(e.name, e.value, 'env');
        const cmRef = e.valueFrom?.configMapKeyRef;
        if (cmRef && !configMaps.get(cmRef.name)?.data?.[cmRef.key]) problems.push(`env ${e.name}: ConfigMap ${cmRef.name} has no key ${cmRef.key}`);
        const sRef = e.valueFrom?.secretKeyRef;
        if (sRef) {
          const example = secretExamplePath(service.name, sRef.name);
          if (!example) problems.push(`env ${e.name}: no infra/k8s/base/${service.name}/${sRef.name}.env.example documents Secret ${sRef.name}`);
          else if (!(sRef.key in readEnvFile(example))) problems.push(`env ${e.name}: ${sRef.name}.env.example has no ${sRef.key}=`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('pins the image (a version tag or digest in production, never latest)', () => {
      for (const c of deploymentOf().spec.template.spec.containers) {
        const img = parseImage(c.image);
        expect(img.name, c.image).toMatch(new RegExp(`/${service.name}$`));
        expect(img.tag ?? img.digest, `${c.image} has a tag or digest`).toBeDefined();
        expect(img.tag).not.toBe('latest');
        if (overlay.env === 'production') {
          expect(img.digest !== undefined || /^v?\d+\.\d+\.\d+([-+][\w.]+)?$/.test(img.tag ?? ''), `${c.image}: production runs a released version`).toBe(true);
          expect(c.imagePullPolicy ?? 'IfNotPresent').not.toBe('Always');
        }
      }
    });

    it('listens where its probes, Service and container port say (EDGE_PORT / ORDERS_PORT, host 0.0.0.0)', () => {
      if (!service.http) return;
      const c = containerOf();
      const data = Object.assign({}, ...ofKind<ConfigMapObj>(objs(), 'ConfigMap').map((cm) => cm.data ?? {})) as Record<string, string>;
      const prefix = service.name === 'edge' ? 'EDGE' : 'ORDERS';
      expect(data[`${prefix}_HOST`], 'a pod must listen on all interfaces').toBe('0.0.0.0');
      expect((c.ports ?? []).map((p) => p.containerPort)).toContain(Number(data[`${prefix}_PORT`]));
    });
  });

  describe.each(listEnvironments().map((env) => [env] as const))('environment %s', (env) => {
    it('every service agrees on NATS_URL and DISPATCH_NAMESPACE (else they would not see each other)', () => {
      const seen: Record<string, Set<string>> = { NATS_URL: new Set(), DISPATCH_NAMESPACE: new Set() };
      const namespaces = new Set<string | undefined>();
      for (const o of overlays.filter((x) => x.env === env)) {
        const objs = renderOnce(o.dir);
        for (const obj of objs) namespaces.add(obj.metadata.namespace);
        if (o.service === 'orders-upstream') continue;
        const data = Object.assign({}, ...ofKind<ConfigMapObj>(objs, 'ConfigMap').map((cm) => cm.data ?? {})) as Record<string, string>;
        for (const key of Object.keys(seen)) {
          const value = data[key];
          expect(value, `${env}/${o.service} sets ${key}`).toBeDefined();
          if (value !== undefined) seen[key]?.add(value);
        }
      }
      for (const [key, values] of Object.entries(seen)) expect([...values], key).toHaveLength(1);
      expect([...namespaces], 'one Kubernetes namespace per environment').toHaveLength(1);
    });

    it(`overlays/${env} renders every service at once, the same objects as each service alone`, () => {
      const all = renderOnce(join(k8sDir, 'overlays', env));
      const alone = overlays.filter((o) => o.env === env).flatMap((o) => renderOnce(o.dir));
      const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      expect(all.map(key).sort()).toEqual(alone.map(key).sort());
    });
  });

  it('each base renders on its own too', () => {
    for (const d of deployables) expect(renderOnce(join(k8sDir, 'base', d.name)).length).toBeGreaterThan(0);
  });
});
