import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from './ports.js';

/** A server process the testkit started; stop() ends it and removes its temp dir. */
export interface LocalServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops and starts the same server on the same port (fault tests). */
  restart(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

function which(cmd: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/usr/local/bin'])) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function startProcess(
  name: string,
  makeArgs: (port: number, dir: string) => { cmd: string; args: string[] },
  urlOf: (port: number) => string,
): Promise<LocalServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `dispatch-${name}-`));
  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    const { cmd, args } = makeArgs(port, dir);
    output = '';
    const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening:\n${output}`))),
    );
    await Promise.race([waitForPort(port), exited]);
    exited.catch(() => undefined);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!child) return;
    const c = child;
    child = undefined;
    c.kill(signal);
    await waitExit(c);
  };
  await start();
  return {
    url: urlOf(port),
    port,
    start,
    kill,
    stop: async () => {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await kill('SIGTERM');
      await start();
    },
  };
}

export async function startNatsServer(): Promise<LocalServer> {
  const bin = which('nats-server');
  if (!bin) throw new Error('nats-server not found: run scripts/install-test-deps.sh (apt-get install nats-server)');
  return startProcess(
    'nats',
    (port, dir) => ({ cmd: bin, args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir] }),
    (port) => `nats://127.0.0.1:${port}`,
  );
}

export async function startRedisServer(): Promise<LocalServer> {
  const bin = which('redis-server');
  if (!bin) throw new Error('redis-server not found: run scripts/install-test-deps.sh (apt-get install redis-server)');
  return startProcess(
    'redis',
    (port, dir) => ({
      cmd: bin,
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    }),
    (port) => `redis://127.0.0.1:${port}`,
  );
}

/** Whether a local binary can serve this kind (FerretDB counts when Go can build it). */
export function hasLocalServer(kind: 'nats' | 'redis' | 'mongo'): boolean {
  if (kind === 'nats') return which('nats-server') !== undefined;
  if (kind === 'redis') return which('redis-server') !== undefined;
  return (
    which('mongod') !== undefined ||
    which('ferretdb') !== undefined ||
    Boolean(process.env['FERRETDB_BIN'] && existsSync(process.env['FERRETDB_BIN'])) ||
    which('go') !== undefined ||
    existsSync('/usr/local/go/bin/go')
  );
}

/** Finds the FerretDB binary: FERRETDB_BIN, then the cache that scripts/install-ferretdb.sh fills (building it if needed). */
export function ferretdbBinary(): string {
  const fromEnv = process.env['FERRETDB_BIN'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const onPath = which('ferretdb');
  if (onPath) return onPath;
  return execFileSync('bash', [join(repoRoot, 'scripts/install-ferretdb.sh')], { encoding: 'utf8' }).trim();
}

/** A MongoDB-wire server: a real `mongod` when one is on PATH, else FerretDB 1.24 on SQLite. */
export async function startMongoServer(): Promise<LocalServer> {
  const mongod = which('mongod');
  if (mongod) {
    return startProcess(
      'mongod',
      (port, dir) => ({ cmd: mongod, args: ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', dir] }),
      (port) => `mongodb://127.0.0.1:${port}`,
    );
  }
  const bin = ferretdbBinary();
  return startProcess(
    'ferretdb',
    (port, dir) => ({
      cmd: bin,
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--state-dir=${dir}`,
        '--telemetry=disable',
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=-',
        '--log-level=error',
      ],
    }),
    (port) => `mongodb://127.0.0.1:${port}`,
  );
}
