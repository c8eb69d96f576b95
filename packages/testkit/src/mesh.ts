import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntil } from './ports.js';
import type { InfraUrls } from './infra.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

export type MeshService = 'identity' | 'token' | 'ratelimit' | 'notification' | 'edge' | 'orders';

const entry: Record<MeshService, string> = {
  identity: 'services/identity/dist/main.js',
  token: 'services/token/dist/main.js',
  ratelimit: 'services/ratelimit/dist/main.js',
  notification: 'services/notification/dist/main.js',
  edge: 'services/edge/dist/main.js',
  orders: 'examples/orders-upstream/dist/main.js',
};

export interface MeshOptions {
  infra: InfraUrls;
  namespace: string;
  smtpUrl: string;
  /** Instances per service (default 1 each). */
  instances?: Partial<Record<MeshService, number>>;
  /** Extra environment for every process (e.g. RATE_LIMIT_DEFAULT_LIMIT). */
  env?: Record<string, string>;
  /** LOG_LEVEL of every process (default: env MESH_LOG_LEVEL, else info). */
  logLevel?: string;
  /**
   * Whether the example Orders upstream also verifies each Bearer token over NATS (default true).
   * False: it trusts the edge's principal headers only (the benchmark: the same upstream work on every route).
   */
  upstreamVerifiesTokens?: boolean;
  /** Extra environment for every instance of one service (e.g. NODE_OPTIONS=--cpu-prof for the edge only). */
  serviceEnv?: Partial<Record<MeshService, Record<string, string>>>;
  /** Node options for every instance of one service (e.g. `['--cpu-prof', '--cpu-prof-dir=…']`, not allowed in NODE_OPTIONS). */
  nodeArgs?: Partial<Record<MeshService, string[]>>;
}

export interface MeshProcess {
  service: MeshService;
  index: number;
  env: Record<string, string>;
  logFile: string;
  child: ChildProcess | undefined;
  /** The ready line's fields (e.g. url for the edge). */
  ready: Record<string, unknown>;
  /** This process's own OPS_PORT (/healthz, /readyz, /metrics; 0 for the example upstream, which has none). */
  opsPort: number;
}

/** Signing keys for a mesh under test: generated per run, passed to every token-service instance. */
export const testSigningKeys = (): string => `k1:${randomBytes(32).toString('base64url')}`;

/**
 * Starts every service as its own process (the built dist/main.js), on the given infrastructure,
 * plus the example Orders upstream. Waits until each logs "ready".
 */
export class Mesh {
  readonly processes: MeshProcess[] = [];
  readonly logDir = mkdtempSync(join(tmpdir(), 'dispatch-mesh-'));
  readonly signingKeys = testSigningKeys();
  upstreamUrl = '';

  private constructor(private readonly options: MeshOptions) {}

  static async start(options: MeshOptions): Promise<Mesh> {
    const mesh = new Mesh(options);
    const count = (s: MeshService) => options.instances?.[s] ?? 1;
    const ordersPort = await freePort();
    mesh.upstreamUrl = `http://127.0.0.1:${ordersPort}`;
    await mesh.add('orders', { ORDERS_PORT: String(ordersPort) });
    const backends: MeshService[] = ['identity', 'token', 'ratelimit', 'notification'];
    const starts: Promise<MeshProcess>[] = [];
    for (const service of backends) for (let i = 0; i < count(service); i++) starts.push(mesh.add(service));
    await Promise.all(starts);
    const edges: Promise<MeshProcess>[] = [];
    for (let i = 0; i < count('edge'); i++) edges.push(mesh.add('edge', { EDGE_PORT: String(await freePort()) }));
    await Promise.all(edges);
    return mesh;
  }

  get edgeUrls(): string[] {
    return this.processes.filter((p) => p.service === 'edge').map((p) => String(p.ready['url']));
  }

  get edgeUrl(): string {
    const url = this.edgeUrls[0];
    if (!url) throw new Error('no edge running');
    return url;
  }

  baseEnv(service: MeshService): Record<string, string> {
    const { infra, namespace, smtpUrl } = this.options;
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      NATS_URL: infra.natsUrl,
      DISPATCH_NAMESPACE: namespace,
      LOG_LEVEL: this.options.logLevel ?? process.env['MESH_LOG_LEVEL'] ?? 'info',
      PUBLIC_URL: 'http://localhost:8080',
    };
    if (service === 'identity' || service === 'token') env['MONGO_URL'] = infra.mongoUrl;
    if (service === 'ratelimit') env['REDIS_URL'] = infra.redisUrl;
    if (service === 'notification') env['SMTP_URL'] = smtpUrl;
    if (service === 'token') env['TOKEN_SIGNING_KEYS'] = this.signingKeys;
    if (service === 'edge') env['UPSTREAM_URL'] = this.upstreamUrl;
    if (service === 'orders' && this.options.upstreamVerifiesTokens === false) delete env['NATS_URL'];
    return { ...env, ...this.options.env, ...this.options.serviceEnv?.[service] };
  }

  /** Starts one more instance of a service and waits for it to be ready. */
  async add(service: MeshService, extraEnv: Record<string, string> = {}): Promise<MeshProcess> {
    // The index is taken and the process listed before any await: instances started in parallel get distinct ones.
    const index = this.processes.filter((p) => p.service === service).length;
    const proc: MeshProcess = {
      service,
      index,
      env: {},
      logFile: join(this.logDir, `${service}-${index}.log`),
      child: undefined,
      ready: {},
      opsPort: 0,
    };
    this.processes.push(proc);
    // Each process its own ops port, so several instances on one host never collide (kept across restarts).
    proc.opsPort = service === 'orders' ? 0 : extraEnv['OPS_PORT'] ? Number(extraEnv['OPS_PORT']) : await freePort();
    proc.env = { ...this.baseEnv(service), ...(proc.opsPort ? { OPS_PORT: String(proc.opsPort) } : {}), ...extraEnv };
    await this.launch(proc);
    return proc;
  }

  /** (Re)starts a stopped process with its original environment (same port for an edge). */
  async launch(proc: MeshProcess): Promise<void> {
    const log: WriteStream = createWriteStream(proc.logFile, { flags: 'a' });
    const nodeArgs = this.options.nodeArgs?.[proc.service] ?? [];
    const child = spawn(process.execPath, [...nodeArgs, join(repoRoot, entry[proc.service])], {
      env: proc.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.child = child;
    proc.ready = {};
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.includes('"ready"')) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed['msg'] === 'ready') proc.ready = { ...parsed, at: Date.now() };
        } catch {
          /* not JSON */
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    let exited = false;
    child.once('exit', () => {
      exited = true;
      log.end();
    });
    await waitUntil(
      () => {
        if (exited) throw new Error(`${proc.service}-${proc.index} exited before ready:\n${this.logOf(proc)}`);
        return proc.ready['at'] !== undefined;
      },
      30_000,
      `${proc.service}-${proc.index} ready`,
    );
  }

  /** `http://127.0.0.1:<ops port>` of a process (/healthz, /readyz, /metrics). */
  opsUrl(service: MeshService, index = 0): string {
    const proc = this.find(service, index);
    if (!proc.opsPort) throw new Error(`${service}-${index} has no ops port`);
    return `http://127.0.0.1:${proc.opsPort}`;
  }

  find(service: MeshService, index = 0): MeshProcess {
    const proc = this.processes.find((p) => p.service === service && p.index === index);
    if (!proc) throw new Error(`no ${service}-${index}`);
    return proc;
  }

  /** Sends a signal and waits for the process to exit. */
  async stopProcess(service: MeshService, index = 0, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.find(service, index);
    const child = proc.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await done;
    proc.child = undefined;
  }

  async restartProcess(service: MeshService, index = 0): Promise<void> {
    await this.stopProcess(service, index);
    await this.launch(this.find(service, index));
  }

  /** Peak resident set size (VmHWM, kB) of a running process, from /proc; undefined where there is no /proc. */
  peakRssKb(service: MeshService, index = 0): number | undefined {
    const pid = this.find(service, index).child?.pid;
    if (pid === undefined) return undefined;
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match?.[1] ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  logOf(proc: MeshProcess): string {
    try {
      return readFileSync(proc.logFile, 'utf8').slice(-6000);
    } catch {
      return '(no log)';
    }
  }

  /** Every process's log, concatenated (to assert nothing secret was logged). */
  allLogs(): string {
    return this.processes.map((p) => `--- ${p.service}-${p.index}\n${readFileSync(p.logFile, 'utf8')}`).join('\n');
  }

  async stop(): Promise<void> {
    const order: MeshService[] = ['edge', 'orders', 'notification', 'ratelimit', 'token', 'identity'];
    for (const service of order) {
      await Promise.all(this.processes.filter((p) => p.service === service).map((p) => this.stopProcess(p.service, p.index)));
    }
  }
}
