/**
 * Checks audit chains: in log files (JSON lines; lines that are not JSON, or not audit records,
 * are skipped) or as the store holds them. Names the first broken link: a record whose hash does
 * not match its content (edited), a sequence that skips (dropped) or goes back (reordered), a
 * `prev` that is not the hash of the record before, or a record that was never chained.
 */
import { GENESIS_HASH, hashAuditRecord } from './audit-chain.ts';

export interface AuditSource {
  /** A file name, or `store:<chain>`; it names where a broken link is. */
  name: string;
  text: string;
}

export interface BrokenLink {
  source: string;
  /** 1-based line in the source. */
  line: number;
  chain: string;
  seq: number | null;
  problem: string;
}

export type VerifyOutcome =
  | { ok: true; records: number; heads: Map<string, { seq: number; hash: string }> }
  | { ok: false; broken: BrokenLink };

interface Located {
  source: string;
  line: number;
  record: Record<string, unknown>;
  chain: string;
  seq: number;
}

/** The audit records of one source, in order, with the first problem found within it. */
function readSource(source: AuditSource): { records: Located[]; broken?: BrokenLink } {
  const records: Located[] = [];
  const lastSeq = new Map<string, number>();
  const lines = source.text.split('\n');
  for (const [index, text] of lines.entries()) {
    const line = index + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue;
    const record = parsed as Record<string, unknown>;
    if (record.audit !== true) continue;
    const chain = typeof record.chain === 'string' ? record.chain : String(record.session ?? '');
    const at = { source: source.name, line, chain };
    if (record.chained === false)
      return { records, broken: { ...at, seq: null, problem: 'never chained (the store failed)' } };
    const seq = record.seq;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || typeof record.hash !== 'string')
      return { records, broken: { ...at, seq: null, problem: 'no chain link (seq, hash)' } };
    if (hashAuditRecord(record) !== record.hash)
      return { records, broken: { ...at, seq, problem: 'edited: the hash does not match it' } };
    const last = lastSeq.get(chain) ?? 0;
    if (seq <= last)
      return {
        records,
        broken: { ...at, seq, problem: `reordered: seq ${seq} comes after seq ${last}` },
      };
    lastSeq.set(chain, seq);
    records.push({ ...at, record, seq });
  }
  return { records };
}

/**
 * Verifies every chain found in the sources. Records of one chain may be spread over several
 * sources (one log per node of a cluster): within each source they must be in order; together
 * they must run from seq 1 without a gap, each `prev` the hash of the record before.
 */
export function verifyAuditSources(sources: readonly AuditSource[]): VerifyOutcome {
  const chains = new Map<string, Located[]>();
  let count = 0;
  for (const source of sources) {
    const { records, broken } = readSource(source);
    if (broken) return { ok: false, broken };
    for (const located of records) {
      const list = chains.get(located.chain) ?? [];
      list.push(located);
      chains.set(located.chain, list);
      count += 1;
    }
  }
  const heads = new Map<string, { seq: number; hash: string }>();
  const problems: BrokenLink[] = [];
  for (const [chain, records] of chains) {
    records.sort((a, b) => a.seq - b.seq);
    let seq = 0;
    let hash = GENESIS_HASH;
    for (const located of records) {
      const at = { source: located.source, line: located.line, chain, seq: located.seq };
      if (located.seq === seq) {
        problems.push({ ...at, problem: `seq ${seq} twice` });
        break;
      }
      if (located.seq !== seq + 1) {
        const missing =
          located.seq === seq + 2 ? `seq ${seq + 1}` : `seq ${seq + 1} to ${located.seq - 1}`;
        problems.push({ ...at, problem: `dropped: ${missing} missing before it` });
        break;
      }
      if (located.record.prev !== hash) {
        problems.push({ ...at, problem: `prev is not the hash of seq ${seq}` });
        break;
      }
      seq = located.seq;
      hash = String(located.record.hash);
    }
    heads.set(chain, { seq, hash });
  }
  // The first broken link in reading order: the earliest source, then the earliest line.
  const order = new Map(sources.map((s, i) => [s.name, i]));
  problems.sort(
    (a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) || a.line - b.line,
  );
  const first = problems[0];
  return first ? { ok: false, broken: first } : { ok: true, records: count, heads };
}
