import { describe, expect, it } from 'vitest';
import { isPrivateAddress, webhookTargetProblem } from './target-policy.js';

describe('webhook target policy', () => {
  it('private, loopback, link-local, CGNAT, multicast and mapped addresses are private; public ones are not', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:7f00:1', 'not-an-ip']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('IPv6 forms that embed or stand for other addresses are private: IPv4-compatible, IPv4-translated, 6to4, Teredo, NAT64, discard, documentation', () => {
    for (const a of ['::127.0.0.1', '::7f00:1', '::ffff:0:127.0.0.1', '::ffff:0:7f00:1', '2002:7f00:1::', '2002:c0a8:1::1', '2001:0:4136:e378::1', '64:ff9b::7f00:1', '100::1', '2001:db8::1', '3fff::1', 'ff02::1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '2001:4860:4860::8888']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('refuses port 0 even where private targets are allowed', async () => {
    expect(await webhookTargetProblem('https://93.184.215.14:0/x', false)).toBe('url port must be 1-65535');
    expect(await webhookTargetProblem('http://127.0.0.1:0/x', true)).toBe('url port must be 1-65535');
  });

  it('checks literal hosts without DNS; allowPrivate skips the check', async () => {
    expect(await webhookTargetProblem('http://127.0.0.1:8080/x', false)).toMatch(/public address/);
    expect(await webhookTargetProblem('http://[fe80::1]/x', false)).toMatch(/public address/);
    expect(await webhookTargetProblem('http://[::127.0.0.1]/x', false)).toMatch(/public address/);
    expect(await webhookTargetProblem('http://[2002:7f00:1::]/x', false)).toMatch(/public address/);
    expect(await webhookTargetProblem('https://93.184.215.14/x', false)).toBeNull();
    expect(await webhookTargetProblem('http://127.0.0.1:8080/x', true)).toBeNull();
    expect(await webhookTargetProblem('http://localhost/x', false)).toMatch(/public address|does not resolve/);
    expect(await webhookTargetProblem('https://no-such-host.invalid/x', false)).toBe('url host does not resolve');
  });
});
