import { describe, expect, it } from 'vitest';
import { upstreamTarget } from './proxy.js';

const base = 'http://127.0.0.1:9000';

describe('upstreamTarget: a request never leaves /api/v1 or the upstream host', () => {
  it('forwards origin-form /api/v1 paths with their query', () => {
    expect(upstreamTarget(base, '/api/v1/Orders?page=2&x=%20')?.href).toBe('http://127.0.0.1:9000/api/v1/Orders?page=2&x=%20');
  });

  it('keeps the base path of UPSTREAM_URL', () => {
    expect(upstreamTarget('http://10.0.0.1:8000/base/', '/api/v1/Orders')?.href).toBe('http://10.0.0.1:8000/base/api/v1/Orders');
  });

  it.each([
    ['absolute-form (SSRF)', 'http://127.0.0.1:18999/api/v1/Orders'],
    ['protocol-relative', '//evil.example/api/v1/Orders'],
    ['dot-dot', '/api/v1/../../healthz'],
    ['encoded dot-dot', '/api/v1/%2e%2e/%2e%2e/healthz'],
    ['upper-case encoded dot-dot', '/api/v1/%2E%2E/x'],
    ['single dot', '/api/v1/./Orders'],
    ['backslash', '/api/v1/..\\..\\healthz'],
    ['encoded backslash', '/api/v1/%5c..%5cx'],
    ['empty segment', '/api/v1//Orders'],
    ['outside /api/v1', '/api/user/me'],
    ['broken percent-encoding', '/api/v1/%E0%A4%A'],
  ])('refuses %s', (_label, url) => {
    expect(upstreamTarget(base, url)).toBeUndefined();
  });
});
