import { describe, expect, it } from 'vitest';
import { isPrivateAddress, webhookTargetProblem } from './target-policy.js';

describe('webhook target policy', () => {
  it('private, loopback, link-local, CGNAT, multicast and mapped addresses are private; public ones are not', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:7f00:1', 'not-an-ip']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('checks literal hosts without DNS; allowPrivate skips the check', async () => {
    expect(await webhookTargetProblem('http://127.0.0.1:8080/x', false)).toMatch(/public address/);
    expect(await webhookTargetProblem('http://[fe80::1]/x', false)).toMatch(/public address/);
    expect(await webhookTargetProblem('https://93.184.215.14/x', false)).toBeNull();
    expect(await webhookTargetProblem('http://127.0.0.1:8080/x', true)).toBeNull();
    expect(await webhookTargetProblem('http://localhost/x', false)).toMatch(/public address|does not resolve/);
    expect(await webhookTargetProblem('https://no-such-host.invalid/x', false)).toBe('url host does not resolve');
  });
});
