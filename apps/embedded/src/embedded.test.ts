import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dispatch/runtime';
import { EmbeddedEnv } from './config.js';
import { startEmbedded, type Embedded } from './embedded.js';

describe('the embedded default reads the mesh variables', () => {
  it('parses the token and edge tuning variables with the mesh names and defaults', () => {
    const defaults = EmbeddedEnv.parse({});
    expect(defaults).toMatchObject({
      TOKEN_MAX_ACTIVE_PER_BUSINESS: 50,
      LAST_USED_FLUSH_MS: 15_000,
      BUS_TIMEOUT_MS: 3000,
      RATE_LIMIT_FAILURE_POLICY: 'open',
      SESSION_TTL_SECONDS: 28_800,
    });
    const set = EmbeddedEnv.parse({ TOKEN_MAX_ACTIVE_PER_BUSINESS: '2', BUS_TIMEOUT_MS: '1234', RATE_LIMIT_FAILURE_POLICY: 'closed', EDGE_USAGE_FLUSH_MS: '200' });
    expect(set).toMatchObject({ TOKEN_MAX_ACTIVE_PER_BUSINESS: 2, BUS_TIMEOUT_MS: 1234, RATE_LIMIT_FAILURE_POLICY: 'closed', EDGE_USAGE_FLUSH_MS: 200 });
    expect(EmbeddedEnv.safeParse({ RATE_LIMIT_FAILURE_POLICY: 'sometimes' }).success).toBe(false);
  });

  describe('TOKEN_MAX_ACTIVE_PER_BUSINESS=2 and PROXY_BODY_LIMIT_BYTES=1024 in the running product', () => {
    let app: Embedded;
    let outbox: string;
    beforeAll(async () => {
      outbox = await mkdtemp(join(tmpdir(), 'embedded-outbox-'));
      app = await startEmbedded(
        EmbeddedEnv.parse({ EDGE_PORT: '0', OUTBOX_DIR: outbox, TOKEN_MAX_ACTIVE_PER_BUSINESS: '2', PASSWORD_SCRYPT_N: '1024', PROXY_BODY_LIMIT_BYTES: '1024' }),
        createLogger({ service: 'embedded-test', level: 'silent' }),
      );
    });
    afterAll(async () => {
      await app?.stop();
      await rm(outbox, { recursive: true, force: true });
    });

    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${app.edgeUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown>; error?: { code: string } } };
    };

    it('the third active token is 409 CONFLICT', async () => {
      const email = 'cap@example.com';
      const password = 'cap-password-1';
      expect((await post('/api/user/register', { email, password, confirmPassword: password, firstName: 'Cap', lastName: 'Tain', acceptedTerms: true })).status).toBe(202);
      let token: string | undefined;
      for (let i = 0; i < 100 && !token; i++) {
        for (const file of await readdir(outbox)) token ??= /token=([A-Za-z0-9_-]{43})/.exec(await readFile(join(outbox, file), 'utf8'))?.[1];
        if (!token) await new Promise((r) => setTimeout(r, 50));
      }
      expect(token).toBeDefined();
      expect((await post('/api/user/verify', { token })).status).toBe(200);
      const session = String((await post('/api/user/login', { email, password })).body.data?.['token']);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post('/api/v1/tokens', { description: `t${i}` }, session)).status);
      expect(statuses).toEqual([201, 201, 409]);
    });

    it('forwards a body up to PROXY_BODY_LIMIT_BYTES; a larger one, declared or chunked, is 413 PAYLOAD_TOO_LARGE; HEAD and OPTIONS reach the upstream', async () => {
      const email = 'cap@example.com';
      const password = 'cap-password-1';
      const session = String((await post('/api/user/login', { email, password })).body.data?.['token']);
      const list = await fetch(`${app.edgeUrl}/api/v1/tokens`, { headers: { authorization: `Bearer ${session}` } });
      const tokens = ((await list.json()) as { data: { id: string }[] }).data;
      await fetch(`${app.edgeUrl}/api/v1/tokens/${tokens[0]?.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${session}` } });
      const api = String((await post('/api/v1/tokens', { description: 'body limit' }, session)).body.data?.['token']);
      const echo = (body: string | ReadableStream<Uint8Array>, extra: Record<string, string> = {}) =>
        fetch(`${app.edgeUrl}/api/v1/Echo`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api}`, 'content-type': 'application/octet-stream', ...extra },
          body,
          ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as RequestInit);
      const small = await echo('x'.repeat(1024));
      expect(small.status).toBe(200);
      expect(((await small.json()) as { data: { body: string } }).data.body).toHaveLength(1024);
      const declared = await echo('x'.repeat(1025));
      expect([declared.status, ((await declared.json()) as { error: { code: string } }).error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      const chunks = [Buffer.alloc(600, 'y'), Buffer.alloc(600, 'y')];
      const chunked = await echo(new ReadableStream({ pull: (c) => { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } }));
      expect([chunked.status, ((await chunked.json()) as { error: { code: string } }).error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

      const head = await fetch(`${app.edgeUrl}/api/v1/Orders`, { method: 'HEAD', headers: { authorization: `Bearer ${api}` } });
      expect(head.status).toBe(200);
      const options = await fetch(`${app.edgeUrl}/api/v1/Orders`, { method: 'OPTIONS', headers: { authorization: `Bearer ${api}` } });
      expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, HEAD, OPTIONS']);
    });
  });
});
