/**
 * Whether a request comes from this machine: what the development sign-in requires. Decided by
 * the connection's own remote address, never by a header a client writes (Origin, Host): a
 * forged `Origin` from curl on another machine gets nothing. Behind a proxy the operator trusts
 * (`server.trustProxy`), the client is the address that proxy saw, the last `X-Forwarded-For`
 * entry (the proxy appends it; entries before it are the client's to write), and the socket's
 * peer must then be the proxy.
 */
import { isIP } from 'node:net';

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (isIP(plain) === 4) return plain.split('.')[0] === '127';
  return plain === '::1' || plain === '0:0:0:0:0:0:0:1';
}

export interface ClientFacts {
  /** The TCP peer (`req.socket.remoteAddress`). */
  remoteAddress: string | undefined;
  /** The `X-Forwarded-For` header as received (read only when `trustProxy`). */
  forwardedFor?: string | undefined;
  trustProxy: boolean;
}

/** The address a request is judged by: the peer, or behind a trusted proxy what it saw. */
export function clientAddressOf(facts: ClientFacts): string | undefined {
  if (!facts.trustProxy || !facts.forwardedFor) return facts.remoteAddress;
  const entries = facts.forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.at(-1) ?? facts.remoteAddress;
}

/** True when the request comes from this machine (see the file's comment). */
export function isLoopbackClient(facts: ClientFacts): boolean {
  const address = clientAddressOf(facts);
  return address !== undefined && isLoopbackAddress(address);
}
