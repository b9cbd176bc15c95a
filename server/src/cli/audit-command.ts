/**
 * `tandem audit verify`: checks audit chains in log files, or one session's chain as the store
 * (Redis) holds it, and names the first broken link. Exit 0 when every chain holds, 1 at a broken
 * link, 2 on a usage error.
 *
 *   tandem audit verify <log file>...            one file per node of a cluster
 *   tandem audit verify --redis <url> [--prefix tandem:] --session <id>
 */
import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { RedisStore } from '../store/redis-store.ts';
import {
  verifyAuditSources,
  type AuditSource,
  type VerifyOutcome,
} from '../security/audit-verify.ts';

export const AUDIT_USAGE = `usage:
  tandem audit verify <log file>...
  tandem audit verify --redis <url> [--prefix tandem:] --session <id>`;

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

function flag(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Reads a session's chain and head from Redis, as one source. */
async function readStoredChain(
  url: string,
  prefix: string,
  chain: string,
): Promise<{ source: AuditSource; head: { seq: number; hash: string } | null }> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    const store = new RedisStore(client, { pageTtlMs: 60_000, prefix });
    const records = await store.getAuditChain(chain);
    const head = await store.getAuditHead(chain);
    const text = records
      .map((r) => JSON.stringify({ audit: true, ...(JSON.parse(r) as object) }))
      .join('\n');
    return { source: { name: `store:${chain}`, text }, head };
  } finally {
    client.disconnect();
  }
}

function report(outcome: VerifyOutcome, io: CommandIo): number {
  if (!outcome.ok) {
    const b = outcome.broken;
    io.err(
      `broken: ${b.source}:${b.line}: chain ${b.chain}${b.seq === null ? '' : ` seq ${b.seq}`}: ${b.problem}`,
    );
    return 1;
  }
  io.out(`ok: ${outcome.records} records in ${outcome.heads.size} chains`);
  for (const [chain, head] of outcome.heads) io.out(`${chain} ${head.seq} ${head.hash}`);
  return 0;
}

/** Runs `audit <args>`; returns the exit code. */
export async function runAuditCommand(args: readonly string[], io: CommandIo): Promise<number> {
  if (args[0] !== 'verify') {
    io.err(AUDIT_USAGE);
    return 2;
  }
  const rest = args.slice(1);
  const redisUrl = flag(rest, '--redis');
  if (redisUrl !== undefined) {
    const session = flag(rest, '--session');
    if (!session) {
      io.err(AUDIT_USAGE);
      return 2;
    }
    const { source, head } = await readStoredChain(
      redisUrl,
      flag(rest, '--prefix') ?? 'tandem:',
      session,
    );
    if (head === null) {
      io.err(`broken: store:${session}: no such chain (expired, or never written)`);
      return 1;
    }
    const outcome = verifyAuditSources([source]);
    const last = outcome.ok ? outcome.heads.get(session) : undefined;
    if (outcome.ok && (last?.seq !== head.seq || last.hash !== head.hash)) {
      io.err(`broken: store:${session}: the head (seq ${head.seq}) is not the last record`);
      return 1;
    }
    return report(outcome, io);
  }
  const files = rest.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    io.err(AUDIT_USAGE);
    return 2;
  }
  const sources: AuditSource[] = [];
  for (const file of files) {
    try {
      sources.push({ name: file, text: await readFile(file, 'utf8') });
    } catch (error) {
      io.err(`cannot read ${file}: ${(error as Error).message}`);
      return 2;
    }
  }
  return report(verifyAuditSources(sources), io);
}
