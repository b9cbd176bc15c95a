/**
 * The cluster store: every node reads and writes the same Redis, so a customer and an agent may
 * sit on different nodes and either may reconnect to a third. Sequence checks run as Lua scripts
 * so that a check and its write are one step even when two nodes race.
 */
import type { Redis } from 'ioredis';
import type { PageBatch, PageSnapshot } from '../protocol/index.ts';
import type { AppendResult, PageRecord, SessionRecord, Store } from './store.ts';

export interface RedisStoreOptions {
  /** Key prefix, so that several installations may share one Redis. Default `tandem:`. */
  prefix?: string;
  /** How long page data outlives its last write; at least the session idle timeout. */
  pageTtlMs: number;
  /** Bound on a PING for readiness. Default 1 s. */
  healthTimeoutMs?: number;
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
      [session.id, JSON.stringify(session), Math.ceil(ttlMs), this.now() + ttlMs],
    );
    return created === 1;
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const json = await this.redis.get(this.key('session', id));
    return json === null ? null : (JSON.parse(json) as SessionRecord);
  }

  async findSessionIdByCode(code: string): Promise<string | null> {
    return this.redis.get(this.key('code', code));
  }

  async saveSession(session: SessionRecord, ttlMs: number): Promise<void> {
    const ttl = Math.ceil(ttlMs);
    // XX: a record that expired or was deleted meanwhile stays gone.
    await this.redis
      .multi()
      .set(this.key('session', session.id), JSON.stringify(session), 'PX', ttl, 'XX')
      .pexpire(this.key('code', session.code), ttl)
      .zadd(this.key('sessions'), 'XX', this.now() + ttlMs, session.id)
      .exec();
  }

  async deleteSession(id: string): Promise<boolean> {
    const session = await this.getSession(id);
    const multi = this.redis
      .multi()
      .del(this.key('session', id))
      .del(...this.pageKeys(id))
      .zrem(this.key('sessions'), id);
    // The code may already point at a newer session; only a matching one is ours to delete.
    if (session)
      multi.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        this.key('code', session.code),
        id,
      );
    const results = await multi.exec();
    return results?.[0]?.[1] === 1;
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
