import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config.js';

const Schema = z.object({ NATS_URL: env.url(['nats']), SECRET: z.string().min(4), PORT: env.port(8080) });

describe('loadConfig', () => {
  it('parses and applies defaults', () => {
    expect(loadConfig('svc', Schema, { NATS_URL: 'nats://x:4222', SECRET: 'abcd' })).toEqual({
      NATS_URL: 'nats://x:4222',
      SECRET: 'abcd',
      PORT: 8080,
    });
  });

  it('lists every problem at once', () => {
    try {
      loadConfig('svc', Schema, { NATS_URL: 'http://nope', PORT: 'x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toMatch(/NATS_URL/);
      expect(problems.join('\n')).toMatch(/SECRET/);
      expect(problems.join('\n')).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/^svc: invalid configuration/);
    }
  });

  it('reads NAME_FILE for variables of the schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'secret'), 's3cr3t\n');
    const config = loadConfig('svc', Schema, { NATS_URL: 'nats://x:4222', SECRET_FILE: join(dir, 'secret') });
    expect(config.SECRET).toBe('s3cr3t');
  });

  it('reports an unreadable NAME_FILE', () => {
    expect(() => loadConfig('svc', Schema, { NATS_URL: 'nats://x:4222', SECRET_FILE: '/nonexistent/secret' })).toThrow(/SECRET_FILE: cannot read/);
  });

  it("ignores other tools' *_FILE variables", () => {
    // Regression: a TF_CLI_CONFIG_FILE pointing at a missing file once stopped every service.
    const config = loadConfig('svc', Schema, { NATS_URL: 'nats://x:4222', SECRET: 'abcd', TF_CLI_CONFIG_FILE: '/nonexistent' });
    expect(config.SECRET).toBe('abcd');
  });
});
