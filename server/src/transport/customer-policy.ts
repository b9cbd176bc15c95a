/**
 * `session:policy`: the snippet reports the hash of the masking rules it enforces after each
 * start and resume. A hash that is not the server's is audited (`policy.mismatch`), kept in the
 * session record (so that an agent who joins later sees it too) and shown to the agents as a
 * warning. The server enforces its own rules on every page message either way.
 */
import type { CustomerToServerEvents, PolicyReport } from '../protocol/index.ts';
import type { Parsed } from '../protocol/validate.ts';
import { customerActor } from '../security/audit-actors.ts';
import type { NamespaceDeps } from './customer-namespace.ts';
import { agentsRoom, announceState } from './rooms.ts';
import type { Guard } from './socket-guard.ts';
import type { SessionData } from './socket-types.ts';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function parsePolicyReport(input: unknown): Parsed<PolicyReport> {
  const hash = (input as { hash?: unknown } | null)?.hash;
  if (typeof input !== 'object' || input === null || Object.keys(input).length !== 1)
    return { ok: false, code: 'invalid_message', message: 'policy: expected { hash }' };
  if (typeof hash !== 'string' || !HEX_SHA256.test(hash))
    return { ok: false, code: 'invalid_message', message: 'policy: hash must be hex SHA-256' };
  return { ok: true, value: { hash } };
}

export const POLICY_MISMATCH_MESSAGE =
  "The customer's page masks by other rules than this server's (a modified or outdated snippet). The server still masks by its own rules; treat what you see with care.";

export function attachCustomerPolicy(
  data: SessionData,
  guard: Guard<CustomerToServerEvents>,
  deps: NamespaceDeps,
): void {
  const expected = deps.policyHash;
  if (expected === undefined) return;
  guard.on('session:policy', parsePolicyReport, async ({ hash }) => {
    const sessionId = data.sessionId;
    if (!sessionId) return guard.drop('session:policy', 'not_in_session', 'start a session first');
    const result = await deps.sessions.reportPolicy(sessionId, hash, expected);
    if (!result.ok) return guard.drop('session:policy', result.code, result.message);
    if (hash === expected) {
      deps.log.info({ session: sessionId }, 'masking policy reported: the same as the server');
      if (result.written) announceState(deps.namespaces, result.session);
      return;
    }
    deps.log.warn({ session: sessionId, reported: hash, expected }, 'masking policy mismatch');
    deps.audit?.('policy.mismatch', {
      session: sessionId,
      actor: customerActor(sessionId),
      reason: 'hash_mismatch',
      detail: { reported: hash, expected },
    });
    deps.namespaces.agents
      .to(agentsRoom(sessionId))
      .emit('session:warning', { code: 'policy_mismatch', message: POLICY_MISMATCH_MESSAGE });
    if (result.written) announceState(deps.namespaces, result.session);
  });
}
