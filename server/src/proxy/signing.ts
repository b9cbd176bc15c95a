/**
 * Signed, expiring resource URLs bound to a session. The rewrite step turns each resource URL of a
 * page into `/proxy/r/<sessionId>/<token>`; the proxy fetches only what such a path names, only
 * for that session, and only until it expires. The token is
 * `<expiry, base 36>.<url, base64url>.<HMAC-SHA256 over version, session, expiry and url>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { proxyFailure, type ProxyFailure } from './errors.ts';

export const PROXY_PATH_PREFIX = '/proxy/r/';
const VERSION = 'tandem-resource-v1';
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface SignerOptions {
  /** HMAC key. Every node of a cluster must share it. */
  key: Buffer;
  /** How long a signed URL stays valid, in ms. */
  ttlMs: number;
  /** Injected clock; default `Date.now`. */
  now?: () => number;
}

export type Verified = { ok: true; url: string; expiresAt: number } | ProxyFailure;

export interface ResourceSigner {
  /** The proxy path for `url` in `sessionId`'s page. */
  sign(sessionId: string, url: string): string;
  /** Checks a path's session segment and token. */
  verify(sessionId: string, token: string): Verified;
}

/** A fresh random key, for a single node that was given none. */
export function randomSigningKey(): Buffer {
  return randomBytes(32);
}

export function createSigner(options: SignerOptions): ResourceSigner {
  const now = options.now ?? Date.now;
  // Expiries are rounded up to a quarter of the TTL so that re-sent snapshots produce the same
  // URLs for a while and the agent's browser can reuse what it already loaded.
  const step = Math.max(1000, Math.floor(options.ttlMs / 4));
  const mac = (sessionId: string, expiry: number, url: string): Buffer =>
    createHmac('sha256', options.key)
      .update(`${VERSION}\n${sessionId}\n${expiry}\n${url}`)
      .digest();

  return {
    sign(sessionId, url) {
      const expiry = Math.ceil((now() + options.ttlMs) / step) * step;
      const encodedUrl = Buffer.from(url, 'utf8').toString('base64url');
      const signature = mac(sessionId, expiry, url).toString('base64url');
      return `${PROXY_PATH_PREFIX}${sessionId}/${expiry.toString(36)}.${encodedUrl}.${signature}`;
    },
    verify(sessionId, token) {
      if (!SESSION_ID.test(sessionId)) return proxyFailure('bad_token', 'malformed session id');
      const parts = token.split('.');
      if (parts.length !== 3) return proxyFailure('bad_token', 'malformed token');
      const [expiryText = '', encodedUrl = '', signatureText = ''] = parts;
      if (!/^[0-9a-z]{1,12}$/.test(expiryText) || !/^[A-Za-z0-9_-]+$/.test(encodedUrl))
        return proxyFailure('bad_token', 'malformed token');
      const expiry = parseInt(expiryText, 36);
      const url = Buffer.from(encodedUrl, 'base64url').toString('utf8');
      const given = Buffer.from(signatureText, 'base64url');
      const expected = mac(sessionId, expiry, url);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return proxyFailure('bad_token', 'signature does not match');
      if (expiry <= now()) return proxyFailure('token_expired');
      return { ok: true, url, expiresAt: expiry };
    },
  };
}

/** Splits a request path into its session segment and token; null when it is no proxy path. */
export function parseProxyPath(path: string): { sessionId: string; token: string } | null {
  if (!path.startsWith(PROXY_PATH_PREFIX)) return null;
  const rest = path.slice(PROXY_PATH_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const sessionId = rest.slice(0, slash);
  const token = rest.slice(slash + 1);
  return token === '' || token.includes('/') ? null : { sessionId, token };
}
