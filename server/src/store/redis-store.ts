/**
 * The cluster store: every node reads and writes the same Redis, so a customer and an agent may
 * sit on different nodes and either may reconnect to a third. Sequence checks run as Lua scripts
 * so that a check and its write are one step even when two nodes race.
 */
import type { Redis } from 'ioredis';
import type { PageBatch, PageSnapshot } from '../protocol/index.ts';
import { runUpdate, type CasLoopOptions, type CasOutcome } from './compare-and-set.ts';
import type {
  AppendResult,
  AuditHead,
  PageRecord,
  SessionRecord,
  SessionTransition,
  Store,
  UpdateOptions,
  UpdateResult,
} from './store.ts';

export interface RedisStoreOptions {
  /** Key prefix, so that several installations may share one Redis. Default `tandem:`. */
  prefix?: string;
  /** How long page data outlives its last write; at least the session idle timeout. */
  pageTtlMs: number;
  /** Bound on a PING for readiness. Default 1 s. */
  healthTimeoutMs?: number;
  /** The update loop's settings; tests set `beforeWrite` to widen the race window. */
  updates?: CasLoopOptions;
}

// KEYS: snapshot, batches, seq, session. ARGV: seq, snapshot JSON, ttl ms.
// The session check is in the script, not a call before it: a session's page messages must
// reach Redis in the order they arrived, each as one command, or a batch sent right after a
// snapshot overtakes it, fails its sequence check and sets off a resync storm.
const PUT_SNAPSHOT = `
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
return 1`;

// KEYS: snapshot, batches, seq. ARGV: seq, batch JSON, ttl ms. Returns count, or -(last seq) - 1.
const APPEND_BATCH = `
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if redis.call('EXISTS', KEYS[1]) == 0 or tonumber(ARGV[1]) ~= last + 1 then return -last - 1 end
local count = redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
return count`;

// KEYS: code, session, index. ARGV: id, record JSON, ttl ms, expires-at ms.
const CREATE_SESSION = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) == false then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 1`;

// KEYS: session, code, index, snapshot, batches, seq. ARGV: id, expected version, next record
// JSON ('' removes the session, its code and its page), ttl ms, index score (expiry).
// Returns 1 written, 0 gone, -1 another version. The version is read from the stored JSON: a
// record of a node that predates versions counts as version 0.
const UPDATE_SESSION = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local version = cjson.decode(current)['version']
if type(version) ~= 'number' then version = 0 end
if version ~= tonumber(ARGV[2]) then return -1 end
local ours = redis.call('GET', KEYS[2]) == ARGV[1]
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1], KEYS[4], KEYS[5], KEYS[6])
  redis.call('ZREM', KEYS[3], ARGV[1])
  if ours then redis.call('DEL', KEYS[2]) end
  return 1
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
if ours then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
redis.call('ZADD', KEYS[3], 'XX', ARGV[5], ARGV[1])
return 1`;

// KEYS: head, records. ARGV: expected head ('' for a chain with no record yet), next head,
// record JSON, ttl ms. Returns 1 appended, 0 another writer advanced the head first. The head
// and the list change in one step, so every node of a cluster appends to one chain.
const APPEND_AUDIT = `
local head = redis.call('GET', KEYS[1]) or ''
if head ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

/** A head as stored: `seq:hash`. */
const headText = (head: AuditHead | null): string => (head ? `${head.seq}:${head.hash}` : '');

/** A stored record, with the fields that records of older nodes lack filled in. */
function parseRecord(json: string): SessionRecord {
  const record = JSON.parse(json) as Partial<SessionRecord> &
    Omit<SessionRecord, 'version' | 'control'>;
  return { ...record, version: record.version ?? 0, control: record.control ?? null };
}

export class RedisStore implements Store {
  private readonly prefix: string;
  private readonly healthTimeoutMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisStoreOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.prefix = options.prefix ?? 'tandem:';
    this.healthTimeoutMs = options.healthTimeoutMs ?? 1000;
    redis.defineCommand('tandemPutSnapshot', { numberOfKeys: 4, lua: PUT_SNAPSHOT });
    redis.defineCommand('tandemAppendBatch', { numberOfKeys: 3, lua: APPEND_BATCH });
    redis.defineCommand('tandemCreateSession', { numberOfKeys: 3, lua: CREATE_SESSION });
    redis.defineCommand('tandemUpdateSession', { numberOfKeys: 6, lua: UPDATE_SESSION });
    redis.defineCommand('tandemAppendAudit', { numberOfKeys: 2, lua: APPEND_AUDIT });
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  private pageKeys(id: string): [string, string, string] {
    return [
      this.key('page', id, 'snapshot'),
      this.key('page', id, 'batches'),
      this.key('page', id, 'seq'),
    ];
  }

  private call(name: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    const command = (
      this.redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>
    )[name];
    if (!command) throw new Error(`redis command ${name} is not defined`);
    return command.call(this.redis, ...keys, ...args);
  }

  async createSession(session: SessionRecord, ttlMs: number): Promise<boolean> {
    const created = await this.call(
      'tandemCreateSession',
      [this.key('code', session.code), this.key('session', session.id), this.key('sessions')],
      [
        session.id,
        JSON.stringify({ ...session, version: 1 }),
        Math.ceil(ttlMs),
        this.now() + ttlMs,
      ],
    );
    return created === 1;
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const json = await this.redis.get(this.key('session', id));
    return json === null ? null : parseRecord(json);
  }

  async findSessionIdByCode(code: string): Promise<string | null> {
    return this.redis.get(this.key('code', code));
  }

  update(id: string, transition: SessionTransition, options: UpdateOptions): Promise<UpdateResult> {
    return runUpdate(
      {
        read: (key) => this.getSession(key),
        compareAndSet: (previous, next, ttlMs) => this.compareAndSet(previous, next, ttlMs),
      },
      id,
      transition,
      options,
      this.options.updates,
    );
  }

  private async compareAndSet(
    previous: SessionRecord,
    next: SessionRecord | null,
    ttlMs: number,
  ): Promise<CasOutcome> {
    const { id, code, version } = previous;
    const result = await this.call(
      'tandemUpdateSession',
      [this.key('session', id), this.key('code', code), this.key('sessions'), ...this.pageKeys(id)],
      [id, version, next ? JSON.stringify(next) : '', Math.ceil(ttlMs), this.now() + ttlMs],
    );
    return result === 1 ? 'written' : result === 0 ? 'gone' : 'conflict';
  }

  async listSessionIds(): Promise<string[]> {
    // Entries whose record expired long ago are pruned on the way.
    await this.redis.zremrangebyscore(
      this.key('sessions'),
      '-inf',
      this.now() - this.options.pageTtlMs,
    );
    return this.redis.zrange(this.key('sessions'), 0, -1);
  }

  async putSnapshot(id: string, snapshot: PageSnapshot): Promise<boolean> {
    const stored = await this.call(
      'tandemPutSnapshot',
      [...this.pageKeys(id), this.key('session', id)],
      [snapshot.seq, JSON.stringify(snapshot), this.options.pageTtlMs],
    );
    return stored === 1;
  }

  async appendBatch(id: string, batch: PageBatch): Promise<AppendResult> {
    const result = Number(
      await this.call('tandemAppendBatch', this.pageKeys(id), [
        batch.seq,
        JSON.stringify(batch),
        this.options.pageTtlMs,
      ]),
    );
    return result >= 0 ? { ok: true, count: result } : { ok: false, lastSeq: -result - 1 };
  }

  async getPage(id: string): Promise<PageRecord> {
    const [snapshotKey, batchesKey, seqKey] = this.pageKeys(id);
    const results = await this.redis
      .multi()
      .get(snapshotKey)
      .lrange(batchesKey, 0, -1)
      .get(seqKey)
      .exec();
    const snapshot = results?.[0]?.[1] as string | null;
    const batches = (results?.[1]?.[1] as string[] | null) ?? [];
    const seq = results?.[2]?.[1] as string | null;
    return {
      snapshot: snapshot ? (JSON.parse(snapshot) as PageSnapshot) : null,
      batches: batches.map((b) => JSON.parse(b) as PageBatch),
      lastSeq: Number(seq ?? 0),
    };
  }

  async getPageSeq(id: string): Promise<number> {
    return Number((await this.redis.get(this.pageKeys(id)[2])) ?? 0);
  }

  async getAuditHead(chain: string): Promise<AuditHead | null> {
    const text = await this.redis.get(this.key('audit', chain, 'head'));
    const colon = text?.indexOf(':') ?? -1;
    if (!text || colon < 0) return null;
    return { seq: Number(text.slice(0, colon)), hash: text.slice(colon + 1) };
  }

  async appendAudit(
    chain: string,
    expected: AuditHead | null,
    next: AuditHead,
    record: string,
    ttlMs: number,
  ): Promise<boolean> {
    const appended = await this.call(
      'tandemAppendAudit',
      [this.key('audit', chain, 'head'), this.key('audit', chain, 'records')],
      [headText(expected), headText(next), record, Math.ceil(ttlMs)],
    );
    return appended === 1;
  }

  getAuditChain(chain: string): Promise<string[]> {
    return this.redis.lrange(this.key('audit', chain, 'records'), 0, -1);
  }

  async hit(key: string, windowMs: number, now: number): Promise<number> {
    const window = Math.floor(now / windowMs);
    const redisKey = this.key('hits', key, String(window));
    const results = await this.redis
      .multi()
      .incr(redisKey)
      .pexpire(redisKey, windowMs * 2)
      .exec();
    return Number(results?.[0]?.[1] ?? 0);
  }

  async isHealthy(): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    try {
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), this.healthTimeoutMs).unref(),
      );
      return (await Promise.race([this.redis.ping(), timeout])) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
