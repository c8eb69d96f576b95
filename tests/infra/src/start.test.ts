import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmtpSink, freePort, startInfra, type Infra } from '@dispatch/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentOf, loadCompose } from './lib/compose.js';
import { envOf, execForm, healthcheckOf, lastOf, readDockerfile, type Dockerfile, type Stage } from './lib/dockerfile.js';
import { cleanupSimulations, installedPackages, simulateRuntimeStage } from './lib/image-sim.js';
import { ofKind, readEnvFile, secretExamplePath, type ConfigMapObj, type DeploymentObj } from './lib/k8s-policy.js';
import { findKubectl, listEnvironments, listOverlays, render } from './lib/kustomize.js';
import { launchUntilReady, runCheck, type Launched } from './lib/launch.js';
import { deployable, deployables, dockerfilePath, infraDir, repoRoot, type Deployable, type DeployableName } from './lib/paths.js';

// Each image's start command, run outside a container: the runtime stage's files are laid out from the
// Dockerfile (production node_modules from `npm ci --offline`, dists from this build), then the CMD runs
// there with ONLY the environment compose / each k8s overlay gives the container. Addresses are the
// only thing adapted (local NATS, Redis, MongoDB-wire server, SMTP sink, free ports); every other value
// is used as configured. Each process must log "ready", pass its health checks and probes, serve a
// registration end to end (edge → identity → JetStream → notification → SMTP), and exit 0 on SIGTERM.

interface Image {
  df: Dockerfile;
  runtime: Stage;
  /** The runtime stage's WORKDIR laid out locally (or the repository root when the npm cache lacks a package). */
  dir: string;
  simulated: boolean;
  /** Why it was not laid out: the npm cache lacks a package (skip) … */
  note?: string | undefined;
  /** … or the deps stage fails as `docker build` would (fail). */
  failure?: string | undefined;
}

interface ProfileService {
  d: Deployable;
  /** The environment as configured (before addresses are adapted). */
  env: Record<string, string>;
  /** k8s HTTP probes: path, and the variable naming the port the probe's container port is. */
  probes?: { kind: string; path: string; portVar: string }[];
}

interface Profile {
  name: string;
  services: ProfileService[];
  /** Set when the profile does not deploy the example upstream (production): a stand-in runs from its image. */
  standInUpstream: boolean;
}

const kubectl = findKubectl();
const work = mkdtempSync(join(tmpdir(), 'dispatch-infra-start-'));
const images = new Map<DeployableName, Image>();
let infra: Infra | undefined;
let sink: SmtpSink | undefined;

const imageOf = (name: DeployableName): Image => {
  const image = images.get(name);
  if (!image) throw new Error(`no image for ${name}`);
  return image;
};

beforeAll(async () => {
  [infra, sink] = await Promise.all([startInfra(['nats', 'redis', 'mongo']), SmtpSink.start()]);
  for (const d of deployables) {
    const df = readDockerfile(dockerfilePath(d.name));
    const runtime = df.stages.at(-1);
    if (!runtime) throw new Error(`${d.name}: no stages`);
    const sim = simulateRuntimeStage(df, mkdtempSync(join(work, `${d.name}-`)));
    if (sim.dir) images.set(d.name, { df, runtime, dir: sim.dir, simulated: true });
    else {
      // The start checks below still run the CMD, from the repository root, so they say whether the
      // configuration works even while the image layout does not.
      console.warn(`[infra-checks] ${d.name}: runtime stage not laid out (${sim.skipped ?? sim.failed}); running its CMD from the repository root instead`);
      images.set(d.name, { df, runtime, dir: repoRoot, simulated: false, note: sim.skipped, failure: sim.failed });
    }
  }
});

afterAll(async () => {
  await sink?.stop();
  await infra?.stop();
  rmSync(work, { recursive: true, force: true });
  cleanupSimulations();
});

describe('runtime stage of each image, laid out without a container engine', () => {
  it.for(deployables.map((d) => [d.name, d] as const))('%s holds its entry point and only production packages', ([, d], ctx) => {
    const image = imageOf(d.name);
    if (image.failure) throw new Error(image.failure);
    if (!image.simulated) {
      ctx.skip(`not laid out: ${image.note ?? ''}`);
      return;
    }
    const cmd = execForm(lastOf(image.runtime, 'CMD')?.args ?? '') ?? [];
    expect(existsSync(join(image.dir, cmd[1] ?? '')), `${cmd[1]} in the image`).toBe(true);
    const installed = installedPackages(image.dir);
    expect(installed.length).toBeGreaterThan(0);
    for (const devOnly of ['typescript', 'vitest', 'turbo', 'testcontainers', '@dispatch/testkit', 'kubernetes-models', '@types/node']) {
      expect(installed, `${devOnly} must not be in the ${d.name} image`).not.toContain(devOnly);
    }
    if (d.name === 'edge' || d.name === 'orders-upstream') for (const other of ['mongoose', 'redis', 'nodemailer']) expect(installed).not.toContain(other);
  });
});

// ---------- profiles: the environment each deployment method gives the containers ----------

function composeProfile(): Profile {
  const compose = loadCompose(join(infraDir, 'compose.yaml'));
  const services: ProfileService[] = [];
  for (const d of deployables) {
    const s = compose.services[d.name];
    if (!s) throw new Error(`compose.yaml has no ${d.name}`);
    services.push({ d, env: environmentOf(s) });
  }
  return { name: 'compose', services, standInUpstream: false };
}

function k8sProfile(env: string): Profile {
  if (!kubectl) throw new Error('kubectl missing');
  const services: ProfileService[] = [];
  for (const overlay of listOverlays().filter((o) => o.env === env)) {
    const objs = render(kubectl, overlay.dir);
    const d = deployable(overlay.service);
    const dep = ofKind<DeploymentObj>(objs, 'Deployment')[0];
    const c = dep?.spec.template.spec.containers.find((x) => x.name === d.name);
    if (!c) throw new Error(`${env}/${d.name}: no container`);
    const configMaps = new Map(ofKind<ConfigMapObj>(objs, 'ConfigMap').map((cm) => [cm.metadata.name, cm.data ?? {}]));
    const out: Record<string, string> = {};
    for (const from of c.envFrom ?? []) Object.assign(out, configMaps.get(from.configMapRef?.name ?? '') ?? {});
    for (const e of c.env ?? []) {
      if (e.value !== undefined) out[e.name] = e.value;
      const cm = e.valueFrom?.configMapKeyRef;
      if (cm) out[e.name] = configMaps.get(cm.name)?.[cm.key] ?? '';
      const s = e.valueFrom?.secretKeyRef;
      if (s) {
        // The Secret ops create from the documented example (placeholders are replaced below).
        const example = secretExamplePath(d.name, s.name);
        const value = example ? readEnvFile(example)[s.key] : undefined;
        if (value === undefined && !s.optional) throw new Error(`${env}/${d.name}: Secret ${s.name} key ${s.key} is not documented`);
        if (value !== undefined) out[e.name] = value;
      }
    }
    const probes: { kind: string; path: string; portVar: string }[] = [];
    for (const [kind, probe] of [['startupProbe', c.startupProbe], ['livenessProbe', c.livenessProbe], ['readinessProbe', c.readinessProbe]] as const) {
      const get = probe?.httpGet;
      if (!get) continue;
      const port = typeof get.port === 'number' ? get.port : c.ports?.find((p) => p.name === get.port)?.containerPort;
      const portVar = ['OPS_PORT', 'EDGE_PORT', 'ORDERS_PORT'].find((v) => out[v] !== undefined && Number(out[v]) === port);
      if (!portVar) throw new Error(`${env}/${d.name}: ${kind} port ${get.port} is no port the service is configured to listen on`);
      probes.push({ kind, path: get.path, portVar });
    }
    services.push({ d, env: out, probes });
  }
  return { name: `k8s ${env}`, services, standInUpstream: !services.some((s) => s.d.name === 'orders-upstream') };
}

// ---------- adapting addresses (and only addresses) to the local test infrastructure ----------

interface Local {
  natsUrl: string;
  mongoUrl: string;
  redisUrl: string;
  smtpUrl: string;
  upstreamUrl: string;
  namespaces: Map<string, string>;
  secretsDir: string;
}

const protocolOf = (url: string): string => new URL(url.split(',')[0]?.trim() ?? '').protocol;

/** Real signing keys with the configured kids (the examples carry placeholders the service rejects). */
const withRealSecrets = (keys: string): string =>
  keys
    .split(',')
    .map((entry) => `${entry.split(':')[0]?.trim() ?? 'k1'}:${randomBytes(32).toString('base64url')}`)
    .join(',');

async function adapt(service: string, configured: Record<string, string>, local: Local): Promise<Record<string, string>> {
  const env = { ...configured };
  const expectProtocol = (name: string, allowed: string[]) => {
    const p = protocolOf(env[name] ?? '');
    if (!allowed.includes(p)) throw new Error(`${service}: ${name}=${env[name]} should be ${allowed.join(' or ')}`);
  };
  for (const name of Object.keys(env)) {
    switch (name) {
      case 'NATS_URL':
        expectProtocol(name, ['nats:', 'tls:']);
        env[name] = local.natsUrl;
        break;
      case 'MONGO_URL':
        expectProtocol(name, ['mongodb:', 'mongodb+srv:']);
        env[name] = local.mongoUrl;
        break;
      case 'REDIS_URL':
        expectProtocol(name, ['redis:', 'rediss:']);
        env[name] = local.redisUrl;
        break;
      case 'SMTP_URL':
        expectProtocol(name, ['smtp:', 'smtps:']);
        env[name] = local.smtpUrl;
        break;
      case 'UPSTREAM_URL':
        expectProtocol(name, ['http:', 'https:']);
        env[name] = local.upstreamUrl;
        break;
      case 'EDGE_HOST':
      case 'ORDERS_HOST':
        if (env[name] !== '0.0.0.0') throw new Error(`${service}: ${name}=${env[name]}; a container must listen on 0.0.0.0`);
        env[name] = '127.0.0.1';
        break;
      case 'EDGE_PORT':
      case 'ORDERS_PORT':
      case 'OPS_PORT':
        env[name] = String(await freePort());
        break;
      case 'DISPATCH_NAMESPACE': {
        // Same configured value → same test namespace, so a mismatch between services still shows.
        const configuredNs = env[name] ?? '';
        let ns = local.namespaces.get(configuredNs);
        if (!ns) {
          ns = `${configuredNs.slice(0, 40)}_${randomBytes(4).toString('hex')}`;
          local.namespaces.set(configuredNs, ns);
        }
        env[name] = ns;
        break;
      }
      case 'TOKEN_SIGNING_KEYS':
        env[name] = withRealSecrets(env[name] ?? '');
        break;
      default:
        if (name.endsWith('_FILE')) {
          // compose secrets: /run/secrets/<name> → a local file with a real value in the documented format.
          const m = /^\/run\/secrets\/([\w.-]+)$/.exec(env[name] ?? '');
          if (!m?.[1]) throw new Error(`${service}: ${name}=${env[name]} is not a mounted secret`);
          const file = join(local.secretsDir, m[1]);
          const target = name.slice(0, -'_FILE'.length);
          if (target !== 'TOKEN_SIGNING_KEYS') throw new Error(`${service}: no test value for secret ${target}`);
          writeFileSync(file, `${withRealSecrets('k1:placeholder')}\n`, { mode: 0o600 });
          env[name] = file;
        }
    }
  }
  // Every mesh service listens on OPS_PORT (default 9464): on one host each needs its own.
  if (service !== 'orders-upstream' && env['OPS_PORT'] === undefined) env['OPS_PORT'] = String(await freePort());
  return env;
}

// ---------- running a profile ----------

interface Running {
  d: Deployable;
  env: Record<string, string>;
  proc: Launched;
  probes: { kind: string; path: string; portVar: string }[];
}

async function waitHttp(url: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url}: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const profileNames = ['compose', ...(kubectl ? listEnvironments().map((e) => `k8s ${e}`) : [])];
if (!kubectl) console.warn('[infra-checks] kubectl not found: the k8s start checks are skipped (compose ones still run)');

describe.each(profileNames.map((p) => [p] as const))('start commands with the %s environment', (profileName) => {
  const running: Running[] = [];
  let profile: Profile | undefined;
  let local: Local | undefined;

  afterAll(async () => {
    for (const r of [...running].reverse()) await r.proc.stop();
  });

  const start = async (d: Deployable, configured: Record<string, string>, probes: Running['probes'] = []) => {
    if (!local) throw new Error('no local');
    const image = imageOf(d.name);
    // The container's environment: the image's ENV, overridden by the deployment's.
    const env = await adapt(d.name, { ...envOf(image.runtime), ...configured }, local);
    const cmd = execForm(lastOf(image.runtime, 'CMD')?.args ?? '');
    if (!cmd) throw new Error(`${d.name}: CMD is not in exec form`);
    const proc = await launchUntilReady(`${profileName}/${d.name}`, cmd, image.dir, env);
    const r = { d, env, proc, probes };
    running.push(r);
    return r;
  };

  it('starts every service from its image CMD and logs "ready"', async () => {
    if (!infra || !sink) throw new Error('no infra');
    profile = profileName === 'compose' ? composeProfile() : k8sProfile(profileName.replace(/^k8s /, ''));
    local = {
      natsUrl: infra.natsUrl,
      mongoUrl: infra.mongoUrl,
      redisUrl: infra.redisUrl,
      smtpUrl: sink.url,
      upstreamUrl: '',
      namespaces: new Map(),
      secretsDir: mkdtempSync(join(work, 'secrets-')),
    };
    const orders = profile.services.find((s) => s.d.name === 'orders-upstream');
    const upstream = await start(deployable('orders-upstream'), orders?.env ?? {});
    local.upstreamUrl = `http://127.0.0.1:${upstream.env['ORDERS_PORT'] ?? ''}`;
    const backends = profile.services.filter((s) => s.d.name !== 'orders-upstream' && s.d.name !== 'edge');
    await Promise.all(backends.map((s) => start(s.d, s.env, s.probes)));
    const edge = profile.services.find((s) => s.d.name === 'edge');
    if (!edge) throw new Error('no edge in the profile');
    await start(edge.d, edge.env, edge.probes);
    expect(running.map((r) => r.d.name).sort()).toEqual(deployables.map((d) => d.name).sort());
    for (const r of running) expect(r.proc.ready['msg']).toBe('ready');
  });

  it('passes the images’ HEALTHCHECK commands and the k8s HTTP probes', async () => {
    // Every service is ready (NATS and its store connected) on /readyz of its ops port.
    for (const r of running.filter((x) => x.d.name !== 'orders-upstream')) {
      const ops = `http://127.0.0.1:${r.env['OPS_PORT'] ?? ''}`;
      for (const path of ['/healthz', '/readyz']) expect((await waitHttp(`${ops}${path}`)).status, `${r.d.name} ${path}`).toBe(200);
      const body = await (await waitHttp(`${ops}/metrics`)).text();
      expect(body, `${r.d.name} /metrics`).toContain('dispatch_bus_requests_total');
      expect(body, `${r.d.name} /metrics`).toContain(`service="${r.d.name}"`);
    }
    for (const r of running) {
      const hc = healthcheckOf(imageOf(r.d.name).runtime);
      if (!hc) throw new Error(`${r.d.name}: no HEALTHCHECK`);
      const result = await runCheck(hc.command, r.env, imageOf(r.d.name).dir);
      expect(result.code, `${r.d.name} HEALTHCHECK: ${result.output}`).toBe(0);
    }
    for (const r of running) {
      for (const probe of r.probes) {
        const res = await fetch(`http://127.0.0.1:${r.env[probe.portVar] ?? ''}${probe.path}`);
        expect(res.status, `${r.d.name} ${probe.kind} GET ${probe.path} on ${probe.portVar}`).toBe(200);
      }
    }
    const edge = running.find((r) => r.d.name === 'edge');
    const port = edge?.env['EDGE_PORT'];
    // /readyz is ready once NATS is connected and the token service answers.
    for (const path of ['/healthz', '/readyz']) expect((await waitHttp(`http://127.0.0.1:${port ?? ''}${path}`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port ?? ''}/metrics`)).status, 'no /metrics on the public port').toBe(404);
  });

  it('serves a registration end to end: edge → identity → JetStream → notification → SMTP', async () => {
    const edge = running.find((r) => r.d.name === 'edge');
    if (!edge || !sink) throw new Error('no edge');
    const email = `infra-${randomBytes(4).toString('hex')}@example.com`;
    const res = await fetch(`http://127.0.0.1:${edge.env['EDGE_PORT'] ?? ''}/api/user/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'password123', confirmPassword: 'password123', firstName: 'Infra', lastName: 'Check', acceptedTerms: true }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const mail = await sink.waitFor(email, () => true, 20_000);
    const publicUrl = running.find((r) => r.d.name === 'notification')?.env['PUBLIC_URL'];
    if (publicUrl) expect(mail.text, 'links use the configured PUBLIC_URL').toContain(new URL(publicUrl).host);
  });

  it('stops every process on SIGTERM with exit code 0', async () => {
    const codes: Record<string, number | null> = {};
    for (const r of [...running].reverse()) codes[r.d.name] = await r.proc.stop();
    expect(codes).toEqual(Object.fromEntries(running.map((r) => [r.d.name, 0])));
  });
});
