/**
 * Agent authentication: a bearer token (a JWT) verified with `jose` against a shared secret
 * (HS256) or public keys from a JWKS URL or file. Issuer, audience, expiry and not-before are
 * checked; the identity carries the privileges the configured claim grants.
 */
import { readFile } from 'node:fs/promises';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { failure, type Failure } from '../protocol/index.ts';
import { parsePrivileges, type Privilege } from './privileges.ts';

export interface AgentIdentity {
  /** The token's `sub`: stable across the agent's connections. */
  id: string;
  name: string;
  privileges: ReadonlySet<Privilege>;
  /** When the token expires (ms since epoch); access ends then. */
  expiresAt: number;
}

export type VerifyResult = { ok: true; identity: AgentIdentity } | Failure;

export interface TokenVerifier {
  verify(token: unknown): Promise<VerifyResult>;
}

/** Where the verification keys come from. */
export type KeySource =
  | { kind: 'secret'; secret: string }
  | { kind: 'jwks-url'; url: string }
  | { kind: 'jwks'; jwks: JSONWebKeySet }
  | { kind: 'none' };

export interface VerifierOptions {
  keys: KeySource;
  issuer: string;
  audience: string;
  /** Claim naming the privileges. Default `scope`. */
  privilegesClaim?: string;
  /** Claim naming the agent. Default `name`. */
  nameClaim?: string;
  /** Leeway for `exp` and `nbf`, in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** Injected clock (ms since epoch). Default `Date.now`. */
  now?: () => number;
}

const MAX_TOKEN_LENGTH = 8192;
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** Reads a JWKS file: a JSON object with a `keys` array. */
export async function readJwksFile(path: string): Promise<JSONWebKeySet> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !Array.isArray((parsed as { keys?: unknown }).keys)
  ) {
    throw new Error(`${path} is not a JWKS (an object with a "keys" array)`);
  }
  return parsed as JSONWebKeySet;
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const privilegesClaim = options.privilegesClaim ?? 'scope';
  const nameClaim = options.nameClaim ?? 'name';
  let key: Uint8Array | JWTVerifyGetKey | null = null;
  let algorithms = PUBLIC_KEY_ALGORITHMS;
  switch (options.keys.kind) {
    case 'secret':
      key = new TextEncoder().encode(options.keys.secret);
      algorithms = HMAC_ALGORITHMS;
      break;
    case 'jwks-url':
      key = createRemoteJWKSet(new URL(options.keys.url), { timeoutDuration: 5000 });
      break;
    case 'jwks':
      key = createLocalJWKSet(options.keys.jwks);
      break;
    case 'none':
      break;
  }

  const identityOf = (payload: JWTPayload): VerifyResult => {
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 256)
      return failure('unauthorized', 'the token names no subject');
    if (typeof payload.exp !== 'number') return failure('unauthorized', 'the token has no expiry');
    const rawName = payload[nameClaim];
    const name = (typeof rawName === 'string' && rawName.trim()) || payload.sub;
    return {
      ok: true,
      identity: {
        id: payload.sub,
        name: name.slice(0, 80),
        privileges: parsePrivileges(payload[privilegesClaim]),
        expiresAt: payload.exp * 1000,
      },
    };
  };

  return {
    async verify(token) {
      if (key === null) return failure('unauthorized', 'agent authentication is not configured');
      if (typeof token !== 'string' || token.length === 0)
        return failure('unauthorized', 'a bearer token is required');
      if (token.length > MAX_TOKEN_LENGTH) return failure('unauthorized', 'the token is too long');
      try {
        const checks = {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          clockTolerance: options.clockToleranceSeconds ?? 5,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'sub'],
        };
        const verified =
          typeof key === 'function'
            ? await jwtVerify(token, key, checks)
            : await jwtVerify(token, key, checks);
        return identityOf(verified.payload);
      } catch (error) {
        return failure('unauthorized', describeJoseError(error));
      }
    },
  };
}

/** A short reason for logs and the peer; never the token itself. */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'the token signature is not valid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key matches the token';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  if (error instanceof joseErrors.JOSEError) return 'the token is not valid';
  return 'the token could not be verified';
}

/** True while the identity holds `privilege` and its token has not expired. */
export function isAuthorized(
  identity: AgentIdentity | undefined,
  privilege: Privilege,
  now: number,
): boolean {
  return identity !== undefined && now < identity.expiresAt && identity.privileges.has(privilege);
}
