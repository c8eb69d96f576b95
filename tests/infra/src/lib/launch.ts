import { spawn, type ChildProcess } from 'node:child_process';

export interface Launched {
  name: string;
  child: ChildProcess;
  /** Fields of the JSON log line with msg "ready". */
  ready: Record<string, unknown>;
  /** stdout + stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, then the exit code (null if killed by a signal). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * Runs `command` (e.g. the image's CMD) in `cwd` with exactly `env` (plus PATH), like a container
 * gets only its configured environment, and resolves once it logs a JSON line with msg "ready".
 */
export async function launchUntilReady(name: string, command: string[], cwd: string, env: Record<string, string>, timeoutMs = 30_000): Promise<Launched> {
  const [cmd, ...args] = command;
  if (!cmd) throw new Error('empty command');
  const bin = cmd === 'node' ? process.execPath : cmd;
  const child = spawn(bin, args, { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let buffer = '';
  let ready: Record<string, unknown> | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    const s = d.toString();
    out += s;
    buffer += s;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.includes('"ready"')) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed['msg'] === 'ready') ready = parsed;
      } catch {
        /* not JSON */
      }
    }
  });
  const output = () => out.slice(-8000);
  const deadline = Date.now() + timeoutMs;
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  while (!ready) {
    if (code !== undefined) throw new Error(`${name} exited with ${code} before "ready":\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready after ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const readyLine = ready;
  return {
    name,
    child,
    ready: readyLine,
    output,
    stop: async (stopTimeoutMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Runs a short command (a health check) and returns its exit code. */
export function runCheck(command: string[], env: Record<string, string>, cwd: string, timeoutMs = 10_000): Promise<{ code: number | null; output: string }> {
  const [cmd, ...args] = command;
  if (!cmd) throw new Error('empty command');
  const bin = cmd === 'node' ? process.execPath : cmd;
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
