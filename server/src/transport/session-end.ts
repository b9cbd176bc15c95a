/**
 * The end of a session, whoever ends it: the end is audited, and once its record is in the
 * session's chain, both sides get the receipt (the chain's final hash), then `session:ended`.
 */
import type { EndReason } from '../protocol/index.ts';
import type { Audit, AuditActor } from '../security/audit.ts';
import type { ChainedAuditRecord } from '../security/audit-chain.ts';
import { buildReceipt } from '../security/audit-receipt.ts';
import type { Logger } from '../observability/logger.ts';
import { agentsRoom, announceEnded, customerRoom, type Namespaces } from './rooms.ts';

/** The chained audit's side that receipts need. */
export interface ReceiptSource {
  /** Resolves once this node's records of `chain` are all in the store. */
  settled(chain: string): Promise<void>;
  /** The chain's records as the store holds them (JSON, in order). */
  read(chain: string): Promise<string[]>;
}

export interface SessionEndDeps {
  namespaces: Namespaces;
  log: Logger;
  audit?: Audit | undefined;
  receipts?: ReceiptSource | undefined;
}

/** Audits the end, sends the receipt when the chain has it, and announces the end. */
export async function finishSession(
  deps: SessionEndDeps,
  sessionId: string,
  reason: EndReason,
  actor: AuditActor,
): Promise<void> {
  deps.audit?.('session.ended', { session: sessionId, actor, reason });
  if (deps.receipts) {
    try {
      await deps.receipts.settled(sessionId);
      const records = (await deps.receipts.read(sessionId)).map(
        (json) => JSON.parse(json) as ChainedAuditRecord,
      );
      const receipt = buildReceipt(sessionId, records);
      if (receipt) {
        deps.namespaces.customers.to(customerRoom(sessionId)).emit('session:receipt', receipt);
        deps.namespaces.agents.to(agentsRoom(sessionId)).emit('session:receipt', receipt);
      }
    } catch (error) {
      // The end matters more than its receipt: it is announced all the same.
      deps.log.warn({ err: (error as Error).message, session: sessionId }, 'no receipt');
    }
  }
  announceEnded(deps.namespaces, sessionId, reason);
}
