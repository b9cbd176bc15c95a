/**
 * Which IP addresses the proxy may connect to: public unicast only. Private, loopback,
 * link-local, unique-local, CGNAT, multicast, reserved and cloud metadata addresses are refused,
 * and IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
 * Host names never reach this module: they are resolved first and each address is checked.
 */
import { isIPv4, isIPv6 } from 'node:net';

type Range = readonly [prefix: readonly number[], bits: number];

const BLOCKED_V4: readonly Range[] = [
  [[0, 0, 0, 0], 8], // "this network"
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10], // CGNAT (Alibaba's metadata 100.100.100.200 sits here)
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16], // link-local, including 169.254.169.254 metadata
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 88, 99, 0], 24], // 6to4 relay anycast
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved and broadcast
  [[168, 63, 129, 16], 32], // Azure's wire server: public-looking, but a metadata endpoint
];

/** Inside 2000::/3 (global unicast), these are still not the public internet. */
const BLOCKED_V6_GLOBAL: readonly Range[] = [
  [[0x20, 0x01, 0x00, 0x00], 32], // Teredo: tunnels to anywhere
  [[0x20, 0x01, 0x00, 0x10], 28], // ORCHID
  [[0x20, 0x01, 0x00, 0x20], 28], // ORCHIDv2
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x3f, 0xff], 20], // documentation (RFC 9637)
];

function matches(bytes: readonly number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Parses a canonical dotted quad (what DNS and the WHATWG URL parser produce). */
export function parseIPv4(text: string): number[] | null {
  if (!isIPv4(text)) return null;
  return text.split('.').map(Number);
}

/** Parses an IPv6 address (with `::` and a trailing dotted quad) into 16 bytes. */
export function parseIPv6(text: string): number[] | null {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIPv6(address)) return null;
  let groups: string[];
  const [head = '', tail] = address.split('::');
  const toGroups = (part: string): string[] => {
    if (part === '') return [];
    const items = part.split(':');
    const last = items.at(-1) ?? '';
    if (last.includes('.')) {
      const v4 = parseIPv4(last) ?? [0, 0, 0, 0];
      items.splice(
        -1,
        1,
        ((v4[0]! << 8) | v4[1]!).toString(16),
        ((v4[2]! << 8) | v4[3]!).toString(16),
      );
    }
    return items;
  };
  if (tail === undefined) {
    groups = toGroups(head);
  } else {
    const left = toGroups(head);
    const right = toGroups(tail);
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  }
  if (groups.length !== 8) return null;
  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** The IPv4 address an IPv6 address stands for (mapped, NAT64 or 6to4), if any. */
function embeddedIPv4(bytes: readonly number[]): number[] | null {
  const isZero = (from: number, to: number): boolean => bytes.slice(from, to).every((b) => b === 0);
  if (isZero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (matches(bytes, [[0x00, 0x64, 0xff, 0x9b], 96])) return bytes.slice(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

function isPublicV4(bytes: readonly number[]): boolean {
  return !BLOCKED_V4.some((range) => matches(bytes, range));
}

function isPublicV6(bytes: readonly number[]): boolean {
  const v4 = embeddedIPv4(bytes);
  if (v4) return isPublicV4(v4);
  // Only global unicast; that rules out ::, ::1, IPv4-compatible, ULA, link-local, multicast.
  if ((bytes[0]! & 0xe0) !== 0x20) return false;
  return !BLOCKED_V6_GLOBAL.some((range) => matches(bytes, range));
}

export interface AddressPolicyOptions {
  /**
   * Loopback addresses treated as public. Test harness only (see test-hooks.ts); empty in
   * production, where nothing can set it.
   */
  allowedTestAddresses?: ReadonlySet<string>;
}

/** Whether the proxy may connect to `address` (an IP literal; anything else is refused). */
export function isPublicAddress(address: string, options: AddressPolicyOptions = {}): boolean {
  const v4 = parseIPv4(address);
  if (v4) {
    if (options.allowedTestAddresses?.has(address)) return true;
    return isPublicV4(v4);
  }
  const v6 = parseIPv6(address);
  return v6 ? isPublicV6(v6) : false;
}
