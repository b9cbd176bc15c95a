/**
 * Reading one connection's packed snapshots. The handler calls this only after the session and
 * rate checks; here the connection's byte budgets are charged (the bytes it sent, the bytes they
 * may inflate to) before any inflating, and inflating runs on zlib's thread pool, bounded by what
 * is left of the budget, so that a deflate bomb neither stalls the event loop nor repeats: once
 * the budget is spent, the next is refused without being inflated.
 */
import { inflateRaw, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { LIMITS } from '../protocol/limits.ts';
import type { PackedPageSnapshot, PageSnapshot } from '../protocol/index.ts';
import { inflateFailure, parsePackedTree, type Parsed } from '../protocol/validate.ts';
import { ByteBudget } from '../security/byte-budget.ts';

const inflate = promisify(inflateRaw) as (
  data: Uint8Array,
  options: ZlibOptions,
) => Promise<Buffer>;

/** Output chunks of the thread pool's inflate: fewer round trips to the event loop than zlib's 16 KiB. */
const CHUNK_BYTES = 256 * 1024;

export interface SnapshotBudgetOptions {
  /** `limits.snapshotBytesPerMinute`: packed tree bytes one connection may send a minute. */
  snapshotBytesPerMinute: number;
  /** `limits.inflatedBytesPerMinute`: bytes one connection's packed trees may inflate to a minute. */
  inflatedBytesPerMinute: number;
  maxNodes: number;
  now?: () => number;
}

/** A snapshot read, or why not: `inflate_budget` when the connection's budget is spent. */
export type SnapshotRead =
  Parsed<PageSnapshot> | { ok: false; code: 'inflate_budget'; message: string };

/** What `read` gives: a verdict now (refused, or nothing to inflate), or one to wait for. */
export type SnapshotIntakeResult = { now: SnapshotRead } | { later: Promise<SnapshotRead> };

/** One connection's intake of packed snapshots. */
export interface SnapshotIntake {
  read(packed: PackedPageSnapshot): SnapshotIntakeResult;
}

const spent = (message: string): { now: SnapshotRead } => ({
  now: { ok: false, code: 'inflate_budget', message },
});

/** The intake of one connection, with budgets of its own. */
export function createSnapshotIntake(options: SnapshotBudgetOptions): SnapshotIntake {
  const sent = new ByteBudget(options.snapshotBytesPerMinute, options.now);
  const inflated = new ByteBudget(options.inflatedBytesPerMinute, options.now);
  const { maxNodes } = options;

  return {
    read(packed) {
      const bytes = packed.tree.byteLength;
      if (!sent.take(bytes)) return spent('more snapshot bytes this minute than allowed');
      if (packed.compression === 'none') {
        // Decoding the bytes is the work here: charged like inflated bytes.
        if (!inflated.take(bytes)) return spent('more snapshot bytes this minute than allowed');
        return { now: parsePackedTree(packed, packed.tree, maxNodes) };
      }
      // Inflating stops at what is left of the budget (never past the protocol's bound); a
      // tree inflates to about its deflated size at least, so less than that cannot do.
      const reserve = Math.min(LIMITS.maxMessageBytes, inflated.available());
      if (reserve < bytes || !inflated.take(reserve))
        return spent('snapshots inflated to more bytes this minute than allowed');
      const later = inflate(packed.tree, { maxOutputLength: reserve, chunkSize: CHUNK_BYTES }).then(
        (raw): SnapshotRead => {
          inflated.refund(reserve - raw.byteLength);
          return parsePackedTree(packed, raw, maxNodes);
        },
        (error: unknown): SnapshotRead => {
          // Stopped at the reservation, which stays spent: a bomb pays for what it cost.
          if (error instanceof RangeError && reserve < LIMITS.maxMessageBytes)
            return {
              ok: false,
              code: 'inflate_budget',
              message: 'inflates beyond the budget left',
            };
          return inflateFailure(error, LIMITS.maxMessageBytes);
        },
      );
      return { later };
    },
  };
}
