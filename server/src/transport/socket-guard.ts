/**
 * Every inbound Socket.IO message passes through here: rate limit, validation, a handler that may
 * fail without taking anything down, and a count of what was dropped and why.
 */
import type { Socket } from 'socket.io';
import type { ErrorCode } from '../protocol/index.ts';
import type { Parsed } from '../protocol/validate.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { InFlight } from './drain.ts';

/** What a socket's handlers may be given: anything at all. */
export type InboundEvents = Record<string, (...args: unknown[]) => void>;

export interface GuardContext {
  namespace: string;
  log: Logger;
  metrics: Metrics;
  messagesPerSecond: number;
  now?: () => number;
  /** Tracks running handlers so that a drain can wait for their writes. */
  inFlight?: InFlight;
}

type Ack = (response: unknown) => void;

/** A token bucket per connection: bursts of twice the rate, refilled continuously. */
class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate * 2;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.rate * 2, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface Guard {
  /** Registers a handler for an event whose single payload `parse` validates. */
  on<T>(
    event: string,
    parse: (input: unknown) => Parsed<T>,
    handler: (value: T, ack: Ack | undefined) => Promise<void> | void,
  ): void;
  /** Registers a handler for an event with no payload. */
  onSignal(event: string, handler: () => Promise<void> | void): void;
  /** Drops a message: counts, logs (sampled by level) and tells the peer, at most a few times a second. */
  drop(event: string, code: ErrorCode, message: string, ack?: Ack): void;
}

export function guardSocket(socket: Socket<InboundEvents>, ctx: GuardContext): Guard {
  const now = ctx.now ?? Date.now;
  const bucket = new Bucket(ctx.messagesPerSecond, now());
  const known = new Set<string>();
  let errorsThisSecond = 0;
  let errorWindow = 0;

  const drop = (event: string, code: ErrorCode, message: string, ack?: Ack): void => {
    ctx.metrics.messagesDropped.inc({
      namespace: ctx.namespace,
      event: known.has(event) ? event : 'unknown',
      reason: code,
    });
    const t = now();
    if (t - errorWindow >= 1000) {
      errorWindow = t;
      errorsThisSecond = 0;
    }
    errorsThisSecond += 1;
    if (errorsThisSecond <= 5) {
      ctx.log.warn(
        {
          namespace: ctx.namespace,
          socket: socket.id,
          session: socket.data?.sessionId,
          event: event.slice(0, 64),
          code,
          reason: message.slice(0, 200),
        },
        'message dropped',
      );
      const error = { code, message: message.slice(0, 500), event: event.slice(0, 64) };
      if (ack) ack({ ok: false, code, message: error.message });
      else socket.emit('protocol:error', error);
    } else if (ack) {
      ack({ ok: false, code, message: 'dropped' });
    }
  };

  /** Runs a handler; a failure (a store that is away, a bug) is logged and still answers the ack. */
  const run = (event: string, task: () => Promise<void> | void, ack?: Ack): void => {
    try {
      const pending = task();
      if (pending) {
        (ctx.inFlight ? ctx.inFlight.track(pending) : pending).catch((error: unknown) =>
          fail(event, error, ack),
        );
      }
    } catch (error) {
      fail(event, error, ack);
    }
  };

  const fail = (event: string, error: unknown, ack?: Ack): void => {
    ctx.log.error(
      { err: error, namespace: ctx.namespace, event, session: socket.data?.sessionId },
      'handler failed',
    );
    drop(event, 'internal', 'the server could not handle this message', ack);
  };

  socket.onAny((event: unknown) => {
    if (typeof event !== 'string' || !known.has(event)) {
      drop(typeof event === 'string' ? event : String(event), 'invalid_message', 'unknown event');
    }
  });

  const admit = (event: string, ack: Ack | undefined): boolean => {
    if (bucket.take(now())) return true;
    drop(event, 'rate_limited', 'too many messages', ack);
    return false;
  };

  return {
    drop,
    on(event, parse, handler) {
      known.add(event);
      socket.on(event, (...args: unknown[]) => {
        const last = args[args.length - 1];
        const ack = typeof last === 'function' ? (last as Ack) : undefined;
        const payloads = ack ? args.slice(0, -1) : args;
        if (!admit(event, ack)) return;
        if (payloads.length !== 1) {
          drop(event, 'invalid_message', `expected one payload, got ${payloads.length}`, ack);
          return;
        }
        const parsed = parse(payloads[0]);
        if (!parsed.ok) {
          drop(event, parsed.code, parsed.message, ack);
          return;
        }
        ctx.metrics.messagesReceived.inc({ namespace: ctx.namespace, event });
        run(event, () => handler(parsed.value, ack), ack);
      });
    },
    onSignal(event, handler) {
      known.add(event);
      socket.on(event, (...args: unknown[]) => {
        if (!admit(event, undefined)) return;
        if (args.length > 0 && !(args.length === 1 && typeof args[0] === 'function')) {
          drop(event, 'invalid_message', 'this event takes no payload');
          return;
        }
        ctx.metrics.messagesReceived.inc({ namespace: ctx.namespace, event });
        run(event, handler);
      });
    },
  };
}
