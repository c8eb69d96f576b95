import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may not reach unless private targets are allowed (SSRF into the mesh's network). */
const privateRanges = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(net, bits, 'ipv4');
}
/**
 * IPv6: only global unicast (2000::/3) is public; everything else (loopback, unspecified,
 * IPv4-compatible `::a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64, discard, ULA, link-local,
 * multicast…) is refused. Inside 2000::/3, ranges that embed or stand for other addresses are
 * refused too: Teredo, ORCHID, documentation, 6to4 (which embeds an IPv4 address).
 */
const globalUnicastV6 = new BlockList();
globalUnicastV6.addSubnet('2000::', 3, 'ipv6');
const reservedInGlobalV6 = new BlockList();
for (const [net, bits] of [
  ['2001::', 32],
  ['2001:10::', 28],
  ['2001:20::', 28],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
] as const) {
  reservedInGlobalV6.addSubnet(net, bits, 'ipv6');
}

/** `::ffff:a.b.c.d` or `::ffff:xxxx:yyyy` → `a.b.c.d` (IPv4-mapped IPv6), else undefined. */
function mappedIpv4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted?.[1]) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex?.[1] || !hex[2]) return undefined;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export const isPrivateAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return privateRanges.check(address, 'ipv4');
  const v4 = mappedIpv4(address);
  // (Node's BlockList also matches IPv4 rules against mapped IPv6 addresses; be explicit anyway.)
  if (v4 !== undefined) return isPrivateAddress(v4);
  return !globalUnicastV6.check(address, 'ipv6') || reservedInGlobalV6.check(address, 'ipv6');
};

/**
 * Why a webhook URL may not be called, or null when it may: its host must resolve, and only to
 * public addresses, unless `allowPrivate` (tests, or webhooks inside a private network). Checked at
 * registration and again before every delivery (a name may change what it points to).
 */
export async function webhookTargetProblem(url: string, allowPrivate: boolean): Promise<string | null> {
  const parsed = new URL(url);
  if (parsed.port === '0') return 'url port must be 1-65535';
  if (allowPrivate) return null;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return 'url host does not resolve';
    }
  }
  if (addresses.length === 0) return 'url host does not resolve';
  return addresses.some(isPrivateAddress) ? 'url must point to a public address (private, loopback and link-local addresses are refused)' : null;
}
