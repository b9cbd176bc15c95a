/**
 * The audit hash chain. Each record of a chain (one per session; the events of no session go to
 * the `cluster` chain) carries its sequence number in the chain, the hash of the record before it
 * and its own hash: SHA-256 over the canonical JSON of the record without `hash`. Editing a
 * record breaks its hash, dropping one breaks the sequence, reordering breaks both; the chain's
 * head (last seq and hash) is kept in the store, so the tail cannot be cut off unseen either.
 */
import { createHash } from 'node:crypto';
import type { AuditHead } from '../store/index.ts';
import type { AuditRecord } from './audit.ts';
import { canonicalJson } from '../protocol/canonical-json.ts';

/** The chain of the events that belong to no session. */
export const CLUSTER_CHAIN = 'cluster';

/** The `prev` of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** How long the store keeps a chain after its last record: 7 days. */
export const AUDIT_RETENTION_MS = 7 * 24 * 3600 * 1000;

export interface ChainedAuditRecord extends AuditRecord {
  chain: string;
  seq: number;
  prev: string;
  hash: string;
}

/** The fields a chained record's hash covers: the record's own, never the log line's. */
const HASHED = [
  'event',
  'outcome',
  'at',
  'actor',
  'session',
  'target',
  'reason',
  'detail',
  'chain',
  'seq',
  'prev',
] as const;

/** The chain a record belongs to. */
export function chainOf(record: Pick<AuditRecord, 'session'>): string {
  return record.session ?? CLUSTER_CHAIN;
}

/** SHA-256 (hex) of the record's hashed fields, read from a record or a parsed log line. */
export function hashAuditRecord(record: Readonly<Record<string, unknown>>): string {
  const hashed: Record<string, unknown> = {};
  for (const key of HASHED) if (record[key] !== undefined) hashed[key] = record[key];
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

/** The record that follows `head` (or starts the chain when there is none). */
export function linkAuditRecord(record: AuditRecord, head: AuditHead | null): ChainedAuditRecord {
  const linked = {
    ...record,
    chain: chainOf(record),
    seq: (head?.seq ?? 0) + 1,
    prev: head?.hash ?? GENESIS_HASH,
  };
  return { ...linked, hash: hashAuditRecord(linked) };
}
