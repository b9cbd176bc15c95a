/**
 * The proxy's cache of upstream responses, keyed by upstream URL and shared by every session
 * (nothing of a session or an agent is sent upstream, so responses do not depend on them; the
 * session-bound rewriting of CSS happens after the cache). How long an entry stays fresh follows
 * the upstream's headers; without explicit freshness nothing is cached.
 */
import { createHash } from 'node:crypto';
import type { AllowedType } from './content-types.ts';
import type { CacheHeaders } from './fetch-resource.ts';

export interface CachedResource {
  url: string;
  type: AllowedType;
  body: Buffer;
  /** When the entry stops being fresh (ms since epoch). */
  expiresAt: number;
}

export interface ResourceCache {
  get(key: string): Promise<CachedResource | null>;
  set(key: string, entry: CachedResource): Promise<void>;
}

function directive(cacheControl: string, name: string): string | true | undefined {
  for (const part of cacheControl.split(',')) {
    const [key = '', value] = part.trim().split('=');
    if (key.toLowerCase() === name) return value === undefined ? true : value.replace(/"/g, '');
  }
  return undefined;
}

/**
 * How long (ms) a shared cache may keep a response, from its headers: `no-store`, `no-cache` and
 * `private` mean not at all; then `s-maxage`, `max-age` (less `Age`), then `Expires` less `Date`.
 */
export function freshnessMs(headers: CacheHeaders, now: number): number {
  const cc = headers.cacheControl ?? '';
  if (['no-store', 'no-cache', 'private'].some((name) => directive(cc, name) !== undefined))
    return 0;
  const age = Math.max(0, Number(headers.age ?? 0) || 0);
  for (const name of ['s-maxage', 'max-age']) {
    const value = directive(cc, name);
    if (typeof value === 'string' && /^\d+$/.test(value))
      return Math.max(0, Number(value) - age) * 1000;
  }
  if (headers.expires) {
    const expires = Date.parse(headers.expires);
    const date = headers.date ? Date.parse(headers.date) : now;
    if (Number.isFinite(expires))
      return Math.max(0, expires - (Number.isFinite(date) ? date : now));
  }
  return 0;
}

/** A bounded in-memory cache (one node): least recently used entries go first. */
export class MemoryResourceCache implements ResourceCache {
  private readonly entries = new Map<string, CachedResource>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<CachedResource | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.delete(key);
    if (entry.expiresAt <= this.now()) return null;
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    return entry;
  }

  async set(key: string, entry: CachedResource): Promise<void> {
    if (entry.body.length > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }
}

/** The few Redis commands the cluster cache needs (ioredis has them). */
export interface RedisLike {
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, mode: 'PX', ms: number): Promise<unknown>;
}

/** The cluster cache: one entry per URL in Redis, expiring with its freshness. */
export class RedisResourceCache implements ResourceCache {
  constructor(
    private readonly redis: RedisLike,
    private readonly now: () => number = Date.now,
    private readonly prefix = 'tandem:proxy:',
  ) {}

  private keyOf(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('hex');
  }

  async get(key: string): Promise<CachedResource | null> {
    const raw = await this.redis.getBuffer(this.keyOf(key));
    if (!raw || raw.length < 4) return null;
    const headLength = raw.readUInt32BE(0);
    const { key: stored, ...head } = JSON.parse(
      raw.subarray(4, 4 + headLength).toString('utf8'),
    ) as Omit<CachedResource, 'body'> & { key: string };
    // A hash collision or a foreign value must never serve the wrong resource.
    if (stored !== key || head.expiresAt <= this.now()) return null;
    return { ...head, body: raw.subarray(4 + headLength) };
  }

  async set(key: string, entry: CachedResource): Promise<void> {
    const ttl = entry.expiresAt - this.now();
    if (ttl <= 0) return;
    const head = Buffer.from(
      JSON.stringify({ key, url: entry.url, type: entry.type, expiresAt: entry.expiresAt }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32BE(head.length);
    await this.redis.set(this.keyOf(key), Buffer.concat([length, head, entry.body]), 'PX', ttl);
  }
}
