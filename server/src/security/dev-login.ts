/**
 * The development login: `POST /agent/dev-login` with `{ name, privileges }` mints a token signed
 * with the configured (or a random per-process) secret. It exists only when
 * `agents.devLogin` is on (`make run` turns it on), answers only clients on this machine, and
 * `/agent/login.html` is a 404 without it: whoever reaches it gets any privilege, so it is for
 * development only.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Context, Next } from 'koa';
import { isLoopbackClient } from './loopback-client.ts';
import { PRIVILEGES, parsePrivileges, type Privilege } from './privileges.ts';

export interface MintOptions {
  secret: string;
  issuer: string;
  audience: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  /** Claim to put the privileges in (as a space-separated string). Default `scope`. */
  privilegesClaim?: string;
  /** Claim to put the name in. Default `name`. */
  nameClaim?: string;
  now?: () => number;
}

/** Signs an HS256 agent token. Also what tests use to mint their tokens. */
export async function mintAgentToken(
  agent: { sub: string; name: string; privileges: readonly Privilege[] },
  options: MintOptions,
): Promise<string> {
  const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
  return new SignJWT({
    [options.nameClaim ?? 'name']: agent.name,
    [options.privilegesClaim ?? 'scope']: agent.privileges.join(' '),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(agent.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds)
    .sign(new TextEncoder().encode(options.secret));
}

/** A secret for a node that has none configured: tokens it mints work on this process only. */
export function randomDevSecret(): string {
  return randomBytes(32).toString('base64url');
}

const MAX_BODY_BYTES = 4096;

async function readJson(ctx: Context): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Koa middleware for `/agent/dev-login`. Only clients on this machine (by the connection's
 * address, see loopback-client.ts) get a token; only same-origin JSON posts are accepted, so
 * that another site cannot mint a token in the visitor's browser.
 */
export function devLoginRoute(
  options: MintOptions & {
    isSameOrigin: (ctx: Context) => boolean;
    /** Whether `X-Forwarded-For` is the word of a proxy the operator trusts (`server.trustProxy`). */
    trustProxy: boolean;
    /** Told of every refused request (for the log). */
    onRefused?: (ctx: Context, code: 'not_loopback' | 'forbidden_origin') => void;
  },
): (ctx: Context, next: Next) => Promise<void> {
  return async (ctx, next) => {
    if (ctx.path !== '/agent/dev-login') return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'POST');
      return;
    }
    const loopback = isLoopbackClient({
      remoteAddress: ctx.req.socket.remoteAddress,
      forwardedFor: ctx.get('X-Forwarded-For'),
      trustProxy: options.trustProxy,
    });
    if (!loopback) {
      options.onRefused?.(ctx, 'not_loopback');
      ctx.status = 403;
      ctx.body = {
        ok: false,
        code: 'forbidden',
        message: 'the development sign-in answers clients on this machine only',
      };
      return;
    }
    if (!ctx.is('application/json') || !options.isSameOrigin(ctx)) {
      options.onRefused?.(ctx, 'forbidden_origin');
      ctx.status = 403;
      ctx.body = { ok: false, code: 'forbidden_origin' };
      return;
    }
    const body = await readJson(ctx);
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<
      string,
      unknown
    >;
    const name = typeof fields.name === 'string' ? fields.name.trim().slice(0, 80) : '';
    if (!name) {
      ctx.status = 400;
      ctx.body = { ok: false, code: 'invalid_message', message: 'a name is required' };
      return;
    }
    const privileges = [...parsePrivileges(fields.privileges)];
    const token = await mintAgentToken(
      {
        sub: `dev:${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        name,
        privileges: privileges.length > 0 ? privileges : [PRIVILEGES[0]],
      },
      options,
    );
    ctx.body = { ok: true, token };
  };
}
