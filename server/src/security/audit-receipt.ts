/**
 * Builds a session's receipt from its audit chain as the store holds it: the chain's last link,
 * who joined, and every change of what an agent was allowed to do, with times.
 */
import type { SessionReceipt } from '../protocol/index.ts';
import type { ChainedAuditRecord } from './audit-chain.ts';

const CHANGES = {
  'control.requested': 'requested',
  'control.granted': 'granted',
  'control.denied': 'denied',
  'control.revoked': 'revoked',
  'control.released': 'released',
} as const;

/** The name of the agent a control record is about: the agent's own, or the one in its detail. */
function agentNameOf(record: ChainedAuditRecord): string {
  if (record.actor.role === 'agent' || record.actor.role === 'supervisor') return record.actor.name;
  const name = record.detail?.agentName;
  return typeof name === 'string' && name !== '' ? name : (record.target ?? 'Agent');
}

/** The receipt of `sessionId`; null when its chain holds nothing. */
export function buildReceipt(
  sessionId: string,
  records: readonly ChainedAuditRecord[],
): SessionReceipt | null {
  const last = records.at(-1);
  if (!last) return null;
  const receipt: SessionReceipt = {
    sessionId,
    seq: last.seq,
    hash: last.hash,
    startedAt: records[0]!.at,
    endedAt: last.at,
    joined: [],
    permissions: [],
  };
  for (const record of records) {
    if (record.event === 'agent.joined') {
      const name = record.detail?.agentName;
      receipt.joined.push({
        name: typeof name === 'string' ? name : record.actor.name,
        role: record.actor.role === 'supervisor' ? 'supervisor' : 'agent',
        at: record.at,
      });
    } else if (record.event in CHANGES) {
      receipt.permissions.push({
        name: agentNameOf(record),
        change: CHANGES[record.event as keyof typeof CHANGES],
        at: record.at,
      });
    }
  }
  return receipt;
}
