/**
 * The chained audit: each record is linked to its chain's head in the store (atomically, so that
 * every node of a cluster appends to the same chain), then logged with its `chain`, `seq`, `prev`
 * and `hash`. Records of one chain are appended in the order this node emitted them; when the
 * store cannot be reached the record is still logged, marked `"chained": false`, so nothing a
 * reviewer needs is lost and the gap is visible.
 */
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/index.ts';
import type { Audit } from './audit-catalogue.ts';
import { buildAuditRecord, type AuditRecord } from './audit.ts';
import {
  AUDIT_RETENTION_MS,
  chainOf,
  linkAuditRecord,
  type ChainedAuditRecord,
} from './audit-chain.ts';

export type AuditStore = Pick<Store, 'getAuditHead' | 'appendAudit' | 'getAuditChain'>;

/** Appends one record to its chain, re-reading the head when another writer got there first. */
export async function appendLinked(
  store: AuditStore,
  record: AuditRecord,
  options: { retentionMs?: number; maxAttempts?: number; random?: () => number } = {},
): Promise<ChainedAuditRecord> {
  const chain = chainOf(record);
  const maxAttempts = options.maxAttempts ?? 64;
  const random = options.random ?? Math.random;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const head = await store.getAuditHead(chain);
    const linked = linkAuditRecord(record, head);
    const next = { seq: linked.seq, hash: linked.hash };
    const ttl = options.retentionMs ?? AUDIT_RETENTION_MS;
    if (await store.appendAudit(chain, head, next, JSON.stringify(linked), ttl)) return linked;
    // Writers that collided back off by a random few milliseconds, so they do not collide again.
    if (attempt > 1)
      await new Promise((resolve) => setTimeout(resolve, random() * Math.min(attempt, 8)));
  }
  throw new Error(`audit chain ${chain.slice(0, 64)} kept changing under ${maxAttempts} attempts`);
}

export interface ChainedAudit {
  audit: Audit;
  /** Resolves once every record this node emitted for `chain` so far is appended (or logged unchained). */
  settled(chain: string): Promise<void>;
}

export function createChainedAudit(deps: {
  log: Logger;
  store: AuditStore;
  now?: () => number;
  retentionMs?: number;
}): ChainedAudit {
  const log = deps.log.child({ audit: true });
  const now = deps.now ?? Date.now;
  // One queue per chain: a node's records of a chain keep the order it emitted them in.
  const queues = new Map<string, Promise<void>>();

  const write = async (record: AuditRecord): Promise<void> => {
    try {
      const linked = await appendLinked(
        deps.store,
        record,
        deps.retentionMs === undefined ? {} : { retentionMs: deps.retentionMs },
      );
      log.info(linked, `audit: ${record.event}`);
    } catch (error) {
      log.error(
        { ...record, chain: chainOf(record), chained: false, err: (error as Error).message },
        `audit: ${record.event} (not chained: the store failed)`,
      );
    }
  };

  const audit: Audit = (event, fields) => {
    const record = buildAuditRecord(event, fields, now());
    const chain = chainOf(record);
    const queued = (queues.get(chain) ?? Promise.resolve()).then(() => write(record));
    queues.set(chain, queued);
    void queued.then(() => {
      if (queues.get(chain) === queued) queues.delete(chain);
    });
  };

  return {
    audit,
    settled: (chain) => queues.get(chain) ?? Promise.resolve(),
  };
}
