import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@dispatch/runtime';
import { freePort, waitForPort } from '@dispatch/testkit';
import { connectNatsBus, natsConnectionOptions } from './nats-bus.js';

describe('NATS_URL credentials', () => {
  it('splits user:password and tokens out of the server URLs', () => {
    expect(natsConnectionOptions('nats://svc:p%40ss@a:4222, nats://svc:p%40ss@b:4222')).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
      user: 'svc',
      pass: 'p@ss',
    });
    expect(natsConnectionOptions('nats://s3cr3t@a:4222')).toEqual({ servers: ['nats://a:4222'], token: 's3cr3t' });
    expect(natsConnectionOptions('nats://a:4222')).toEqual({ servers: ['nats://a:4222'] });
  });

  it('connects to a server that requires a user and password', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'nats-auth-'));
    const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, '--user', 'svc', '--pass', 'p@ss'], {
      stdio: 'ignore',
    });
    try {
      await waitForPort(port);
      const logger = createLogger({ service: 'test', level: 'silent' });
      const bus = await connectNatsBus({ servers: `nats://svc:p%40ss@127.0.0.1:${port}`, namespace: 'creds', logger, name: 'test' });
      expect(bus.isConnected()).toBe(true);
      await bus.drain();
    } finally {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
