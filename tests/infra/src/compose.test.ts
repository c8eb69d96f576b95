import { existsSync, readFileSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentOf, healthTest, loadCompose, type ComposeService } from './lib/compose.js';
import { healthcheckOf, readDockerfile } from './lib/dockerfile.js';
import { baseEnvName, envNamesByDeployable, readmeConfigurationTable } from './lib/env-names.js';
import { SECRET_NAME, URL_WITH_PASSWORD, parseImage } from './lib/k8s-policy.js';
import { deployable, deployables, dockerfilePath, infraDir, meshServices, repoRoot, type Deployable } from './lib/paths.js';

const envReads = await envNamesByDeployable();
const envNamesRead = (d: Deployable): Set<string> => envReads.get(d.name) ?? new Set<string>();
const composePath = join(infraDir, 'compose.yaml');
const compose = loadCompose(composePath);
const services = compose.services;
const dispatch = (d: Deployable): ComposeService => {
  const s = services[d.name];
  if (!s) throw new Error(`compose.yaml has no service ${d.name}`);
  return s;
};
const dependsOn = (s: ComposeService): Record<string, string> => {
  const deps = s.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
};

describe('infra/compose.yaml', () => {
  it('parses and runs the whole mesh: every service, the example upstream, NATS with JetStream, Redis, MongoDB 7 and a mail sink', () => {
    for (const d of deployables) expect(Object.keys(services)).toContain(d.name);
    const nats = services['nats'];
    expect(nats?.image).toMatch(/^nats:/);
    expect(JSON.stringify(nats?.command)).toContain('-js');
    expect(nats?.volumes?.length, 'JetStream keeps its data in a volume').toBeGreaterThan(0);
    expect(services['redis']?.image).toMatch(/^redis:/);
    expect(services['mongo']?.image).toMatch(/^mongo:7/);
    expect(services['mailpit']?.image).toMatch(/^axllent\/mailpit:/);
  });

  it.each(deployables.map((d) => [d.name, d] as const))('%s is built from its Dockerfile in infra/docker', (_n, d) => {
    const s = dispatch(d);
    const build = typeof s.build === 'string' ? { context: s.build, dockerfile: 'Dockerfile' } : s.build;
    expect(build, 'build').toBeDefined();
    if (!build) return;
    const context = resolve(infraDir, build.context);
    expect(context, 'build context is the repository root (the monorepo)').toBe(repoRoot);
    const dockerfile = resolve(context, build.dockerfile ?? 'Dockerfile');
    expect(dockerfile).toBe(dockerfilePath(d.name));
    expect(existsSync(dockerfile)).toBe(true);
    expect(parseImage(s.image ?? '').tag, 'image tag').not.toBe('latest');
  });

  it('gives every service a healthcheck, and every depends_on a condition on a service that exists', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test, `${name} healthcheck`).toBeDefined();
      for (const [dep, condition] of Object.entries(dependsOn(s))) {
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
        expect(['service_started', 'service_healthy', 'service_completed_successfully'], `${name} → ${dep}`).toContain(condition);
        if (services[dep]?.healthcheck) expect(condition, `${name} waits for ${dep} to be healthy`).toBe('service_healthy');
      }
    }
  });

  it('has no depends_on cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') throw new Error(`cycle: ${[...path, name].join(' → ')}`);
      state.set(name, 'visiting');
      for (const dep of Object.keys(dependsOn(services[name] ?? {}))) visit(dep, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  it('waits for each service’s own infrastructure before starting it', () => {
    const needs: Record<string, string[]> = {
      identity: ['nats', 'mongo'],
      token: ['nats', 'mongo'],
      ratelimit: ['nats', 'redis'],
      notification: ['nats', 'mailpit'],
      edge: ['nats', 'orders-upstream', 'token'],
    };
    for (const [svc, deps] of Object.entries(needs)) {
      for (const dep of deps) expect(dependsOn(services[svc] ?? {})[dep], `${svc} → ${dep}`).toBe('service_healthy');
    }
  });

  it.each(deployables.map((d) => [d.name, d] as const))('%s uses the same health check as its image', (_n, d) => {
    const image = healthcheckOf(readDockerfile(dockerfilePath(d.name)).stages.at(-1) ?? { name: '', from: '', instructions: [] });
    const h = dispatch(d).healthcheck;
    expect(image).toBeDefined();
    expect(h).toBeDefined();
    if (h && image) expect(healthTest(h)).toEqual(['CMD', ...image.command]);
  });

  it.each(meshServices.map((d) => [d.name, d] as const))('%s: every variable set is one the service reads (its config schema)', (_n, d) => {
    const reads = envNamesRead(d);
    const env = environmentOf(dispatch(d));
    const unknown = Object.keys(env).filter((k) => !reads.has(baseEnvName(k)));
    expect(unknown, `read by ${d.name}: ${[...reads].join(', ')}`).toEqual([]);
  });

  it('sets the example upstream’s variables only from its schema', () => {
    const d = deployables.find((x) => x.name === 'orders-upstream');
    if (!d) throw new Error('no orders-upstream');
    const reads = envNamesRead(d);
    expect(Object.keys(environmentOf(dispatch(d))).filter((k) => !reads.has(baseEnvName(k)))).toEqual([]);
  });

  it('runs the mesh on one NATS and one namespace, and points the edge at the example upstream', () => {
    const nats = new Set(meshServices.map((d) => environmentOf(dispatch(d))['NATS_URL']));
    expect([...nats]).toEqual(['nats://nats:4222']);
    const ns = new Set(meshServices.map((d) => environmentOf(dispatch(d))['DISPATCH_NAMESPACE']));
    expect(ns.size).toBe(1);
    const edge = environmentOf(services['edge'] ?? {});
    expect(new URL(edge['UPSTREAM_URL'] ?? '').hostname).toBe('orders-upstream');
    expect(new URL(environmentOf(services['notification'] ?? {})['SMTP_URL'] ?? '').hostname).toBe('mailpit');
    expect(new URL(environmentOf(services['identity'] ?? {})['MONGO_URL'] ?? '').hostname).toBe('mongo');
    expect(new URL(environmentOf(services['ratelimit'] ?? {})['REDIS_URL'] ?? '').hostname).toBe('redis');
  });

  it('publishes the edge on 8080 and listens on all interfaces inside the containers', () => {
    const edge = environmentOf(services['edge'] ?? {});
    expect(edge['EDGE_HOST']).toBe('0.0.0.0');
    expect(services['edge']?.ports).toContain(`8080:${edge['EDGE_PORT']}`);
    expect(environmentOf(services['orders-upstream'] ?? {})['ORDERS_HOST']).toBe('0.0.0.0');
    for (const [name, s] of Object.entries(services)) {
      if (name === 'edge') continue;
      for (const p of s.ports ?? []) expect(p, `${name} publishes only on loopback`).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('hardens the Dispatch containers: read-only root, no capabilities, no new privileges, a /tmp tmpfs', () => {
    for (const d of deployables) {
      const s = dispatch(d);
      expect(s.read_only, d.name).toBe(true);
      expect(s['cap_drop'], d.name).toEqual(['ALL']);
      expect(s['security_opt'], d.name).toContain('no-new-privileges:true');
      expect(s['tmpfs'], d.name).toContain('/tmp');
      expect(s.user ?? '1000', `${d.name} keeps the image's non-root user`).not.toMatch(/^(0|root)(:|$)/);
    }
  });

  it('passes TOKEN_SIGNING_KEYS as a compose secret file (NAME_FILE), never inline, with an example and kept out of git and images', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      const env = environmentOf(s);
      for (const [k, v] of Object.entries(env)) {
        if (SECRET_NAME.test(k)) problems.push(`${name}: ${k} inline; use a secret and ${k}_FILE`);
        if (URL_WITH_PASSWORD.test(v)) problems.push(`${name}: ${k} has a password inline`);
        if (!k.endsWith('_FILE')) continue;
        const m = /^\/run\/secrets\/([\w.-]+)$/.exec(v);
        if (!m?.[1]) {
          problems.push(`${name}: ${k}=${v} is not /run/secrets/<name>`);
          continue;
        }
        const secret = m[1];
        const listed = (s.secrets ?? []).map((x) => (typeof x === 'string' ? x : x.source));
        if (!listed.includes(secret)) problems.push(`${name}: ${k} reads secret ${secret} that the service does not list`);
        const file = compose.secrets?.[secret]?.file;
        if (!file) problems.push(`secret ${secret} has no file`);
        else {
          const path = normalize(join(infraDir, file));
          if (!path.startsWith(join(infraDir, 'secrets'))) problems.push(`secret ${secret}: ${file} is not under infra/secrets`);
          if (!existsSync(`${path}.example`)) problems.push(`secret ${secret}: no ${file}.example shows its format`);
        }
      }
    }
    expect(problems).toEqual([]);
    const token = environmentOf(services['token'] ?? {});
    expect(token['TOKEN_SIGNING_KEYS_FILE']).toBeDefined();
    expect(token['TOKEN_SIGNING_KEYS']).toBeUndefined();
    const gitignore = readFileSync(join(infraDir, '.gitignore'), 'utf8');
    expect(gitignore).toMatch(/^\/secrets\/\*$/m);
    expect(gitignore).toMatch(/^!\/secrets\/\*\.example$/m);
    expect(readFileSync(join(repoRoot, '.dockerignore'), 'utf8')).toMatch(/^infra\/secrets$/m);
  });
});

describe('README Configuration table', () => {
  const rows = readmeConfigurationTable(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
  const names = (who: string): string[] => {
    if (/\b(all|every mesh service)\b/.test(who)) return meshServices.map((d) => d.name);
    // The example upstream counts when the row names it (e.g. AUTH_TIMEOUT_MS).
    return deployables.map((d) => d.name).filter((n) => new RegExp(`(^|[^-\\w])${n}($|[^-\\w])`).test(who));
  };

  it('lists variables', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });

  it.each(rows.map((r) => [r.names.join(', '), r] as const))('%s is read by the services the table names', (_n, row) => {
    const users = names(row.usedBy);
    // "edge, embedded": the mesh service(s) named must read it; an embedded-only row names none.
    if (users.length === 0) expect(row.usedBy).toMatch(/embedded/);
    // A row may pair names and services ("IDENTITY_DB_NAME, TOKEN_DB_NAME | identity, token"): each name is
    // read by one of the services named, and each service named reads one of the names.
    const reads = new Map(users.map((svc) => [svc, envNamesRead(deployable(svc))]));
    for (const n of row.names) expect(users.some((svc) => reads.get(svc)?.has(n)), `${n} is read by one of ${users.join(', ')}`).toBe(true);
    for (const svc of users) expect(row.names.some((n) => reads.get(svc)?.has(n)), `${svc} reads one of ${row.names.join(', ')}`).toBe(true);
  });

  it('documents every variable compose sets', () => {
    const documented = new Set(rows.flatMap((r) => r.names));
    const undocumented = new Set<string>();
    for (const d of meshServices) for (const k of Object.keys(environmentOf(dispatch(d)))) if (!documented.has(baseEnvName(k))) undocumented.add(k);
    expect([...undocumented]).toEqual([]);
  });
});
