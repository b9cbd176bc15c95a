/**
 * Agent tokens for tests: every test node is started with `TEST_AGENT_SECRET` (see server.ts),
 * and tests mint the tokens their agents present with the server's own minting function.
 */
import { mintAgentToken } from '../../server/src/security/dev-login.ts';
import type { Privilege } from '../../server/src/security/privileges.ts';

/** The HS256 secret test nodes verify agent tokens with (`agents.secret`). */
export const TEST_AGENT_SECRET = 'tandem-test-secret-0123456789-abcdefghijklmnop';
export const TEST_ISSUER = 'tandem';
export const TEST_AUDIENCE = 'tandem-agents';

export interface TestTokenOptions {
  name?: string;
  /** Default: monitor only. */
  privileges?: readonly Privilege[];
  sub?: string;
  /** Default one hour; negative values give an already expired token. */
  ttlSeconds?: number;
  secret?: string;
  issuer?: string;
  audience?: string;
  /** When the token is issued (ms since epoch). Default now. */
  issuedAt?: number;
}

export function mintTestToken(options: TestTokenOptions = {}): Promise<string> {
  const name = options.name ?? 'Alice';
  return mintAgentToken(
    {
      sub: options.sub ?? `test:${name.toLowerCase()}`,
      name,
      privileges: options.privileges ?? ['cobrowse:monitor'],
    },
    {
      secret: options.secret ?? TEST_AGENT_SECRET,
      issuer: options.issuer ?? TEST_ISSUER,
      audience: options.audience ?? TEST_AUDIENCE,
      ttlSeconds: options.ttlSeconds ?? 3600,
      ...(options.issuedAt !== undefined && { now: () => options.issuedAt! }),
    },
  );
}
