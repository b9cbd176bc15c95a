/**
 * Builds the node's security parts from the config: the token verifier, the development login
 * (only when enabled), code-guessing limits, the per-session message budget and the audit log.
 */
import type { Context } from 'koa';
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/index.ts';
import {
  createTokenVerifier,
  readJwksFile,
  type KeySource,
  type TokenVerifier,
} from './agent-tokens.ts';
import type { Audit } from './audit.ts';
import { createChainedAudit } from './audit-writer.ts';
import { CodeAttemptGuard } from './code-attempts.ts';
import { devLoginRoute, randomDevSecret } from './dev-login.ts';
import { SessionRateLimiter } from './rate-limits.ts';

export interface AgentSecurity {
  verifier: TokenVerifier;
  audit: Audit;
  /** The audit chains' side that receipts need: settled writes and the stored records. */
  receipts: { settled(chain: string): Promise<void>; read(chain: string): Promise<string[]> };
  codeAttempts: CodeAttemptGuard;
  sessionRate: SessionRateLimiter;
  /** Koa middleware for `/agent/dev-login`, present only when `agents.devLogin` is on. */
  devLogin: ((ctx: Context, next: () => Promise<unknown>) => Promise<unknown>) | null;
}

export interface AgentSecurityOptions {
  store: Pick<Store, 'hit' | 'getAuditHead' | 'appendAudit' | 'getAuditChain'>;
  log: Logger;
  /** Whether an Origin header is the console's own (the dev login accepts only it). */
  isConsoleOrigin: (origin: string) => boolean;
  now?: () => number;
}

export async function createAgentSecurity(
  config: Config,
  options: AgentSecurityOptions,
): Promise<AgentSecurity> {
  const agents = config.agents;
  const { log } = options;
  let keys: KeySource = { kind: 'none' };
  let devSecret: string | null = null;
  if (agents.secret) keys = { kind: 'secret', secret: agents.secret };
  else if (agents.jwksUrl) keys = { kind: 'jwks-url', url: agents.jwksUrl };
  else if (agents.jwksFile) keys = { kind: 'jwks', jwks: await readJwksFile(agents.jwksFile) };
  if (agents.devLogin) {
    if (keys.kind === 'none') {
      devSecret = randomDevSecret();
      keys = { kind: 'secret', secret: devSecret };
    } else if (keys.kind === 'secret') {
      devSecret = keys.secret;
    }
    log.warn(
      { devLogin: devSecret !== null },
      devSecret !== null
        ? 'agents.devLogin is on: anyone on this machine can mint an agent token with any privilege at /agent/login.html; never enable it in production'
        : 'agents.devLogin is on but tokens are verified with public keys: it cannot mint tokens and stays off',
    );
  } else if (keys.kind === 'none') {
    log.warn(
      'no agent token keys configured (agents.secret, jwksUrl or jwksFile): agents cannot connect',
    );
  }
  const verifier = createTokenVerifier({
    keys,
    issuer: agents.issuer,
    audience: agents.audience,
    privilegesClaim: agents.privilegesClaim,
    nameClaim: agents.nameClaim,
    clockToleranceSeconds: agents.clockToleranceSeconds,
    ...(options.now && { now: options.now }),
  });
  const devLogin =
    devSecret === null
      ? null
      : devLoginRoute({
          secret: devSecret,
          issuer: agents.issuer,
          audience: agents.audience,
          ttlSeconds: agents.devLoginTokenTtlSeconds,
          privilegesClaim: agents.privilegesClaim,
          nameClaim: agents.nameClaim,
          isSameOrigin: (ctx) => options.isConsoleOrigin(ctx.get('Origin')),
          trustProxy: config.server.trustProxy,
          onRefused: (ctx, code) =>
            log.warn(
              {
                code,
                address: ctx.req.socket.remoteAddress,
                origin: ctx.get('Origin').slice(0, 200),
              },
              'development sign-in refused',
            ),
          ...(options.now && { now: options.now }),
        });
  // Every record is chained in the store, so that all nodes of a cluster append to one chain.
  const chained = createChainedAudit({
    log,
    store: options.store,
    ...(options.now && { now: options.now }),
  });
  return {
    verifier,
    audit: chained.audit,
    receipts: {
      settled: chained.settled,
      read: (chain) => options.store.getAuditChain(chain),
    },
    codeAttempts: new CodeAttemptGuard({
      counter: options.store,
      attemptsPerMinute: config.limits.joinAttemptsPerMinute,
      failuresBeforeLockout: agents.codeFailuresBeforeLockout,
      lockoutMs: agents.codeLockoutSeconds * 1000,
      ...(options.now && { now: options.now }),
    }),
    sessionRate: new SessionRateLimiter({
      perSecond: config.limits.sessionMessagesPerSecond,
      ...(options.now && { now: options.now }),
    }),
    devLogin,
  };
}
