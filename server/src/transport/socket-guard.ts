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
import type { AckOf, FailureAck, PayloadEvent, PayloadOf, SignalEvent } from './socket-types.ts';
import { HandlerQueue } from './handler-queue.ts';

/**
 * Messages of one connection that may wait behind held work (a snapshot being inflated) before
 * more are refused. The connection's message and byte rates bound how fast they can pile up.
 */
const MAX_WAITING = 512;

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

/**
 * A connection's guard, typed by its namespace's client → server map `M`: an event name outside
 * the map does not compile, and a validator must produce the payload type the map names.
 */
export interface Guard<M = InboundEvents> {
  /** Registers a handler for an event whose single payload `parse` validates. */
  on<E extends PayloadEvent<M>, T extends PayloadOf<M[E]>>(
    event: E,
    parse: (input: unknown) => Parsed<T>,
    handler: (value: T, ack: AckOf<M[E]> | undefined) => Promise<void> | void,
  ): void;
  /** Registers a handler for an event with no payload. */
  onSignal(event: SignalEvent<M>, handler: () => Promise<void> | void): void;
  /** Drops a message: counts, logs (sampled by level) and tells the peer, at most a few times a second. */
  drop(event: string, code: ErrorCode, message: string, ack?: FailureAck): void;
  /**
   * Holds the handlers of the connection's later messages until `work` settles (work done off
   * the event loop, up to the store write it leads to), so that they start in arrival order.
   */
  hold(work: Promise<unknown>): void;
  /**
   * Work a handler started and did not wait for (a store write after its relay): a drain waits
   * for it, and a failure is logged and counted as the handler's own would be.
   */
  track(event: string, work: Promise<unknown>): void;
}

/** How an event's payload is read: validated by its parser, or none (a signal). */
type Reader = ((input: unknown) => Parsed<unknown>) | 'signal';

/**
 * What the guards of one namespace share: their settings, and the events that have a handler
 * with how each is read (every connection of a namespace registers the same ones, in the same
 * order, before its first message), so that a connection keeps only its handlers, by slot.
 */
export interface GuardScope {
  readonly ctx: GuardContext;
  readonly now: () => number;
  /** Each event's slot in a guard's handlers, and its reader. */
  readonly known: Map<string, { slot: number; read: Reader }>;
}

export function createGuardScope(ctx: GuardContext): GuardScope {
  return { ctx, now: ctx.now ?? Date.now, known: new Map() };
}

type Handler = (value: unknown, ack: Ack | undefined) => Promise<void> | void;

/**
 * One connection's guard. A class, so that an idle socket carries its counters and not a set of
 * closures: its rate limit is a token bucket (bursts of twice the rate, refilled continuously),
 * and its error replies are sampled per second. It takes every event through one middleware,
 * the socket's last (after the agent namespace's privilege check), and hands it to its handler
 * by slot: the socket keeps no listener per event.
 */
class SocketGuard {
  private tokens: number;
  private last: number;
  private errorsThisSecond = 0;
  private errorWindow = 0;
  private readonly queue = new HandlerQueue(MAX_WAITING);
  /** This connection's handlers, by the slot its namespace's scope gave each event. */
  private readonly handlers: Handler[] = [];

  constructor(
    private readonly socket: Socket<InboundEvents>,
    private readonly scope: GuardScope,
  ) {
    this.tokens = scope.ctx.messagesPerSecond * 2;
    this.last = scope.now();
    // Not calling next: nothing after the guard sees the event (there is nothing after it).
    socket.use((packet) => this.dispatch(packet));
  }

  private dispatch(packet: unknown[]): void {
    const event = packet[0];
    const entry = typeof event === 'string' ? this.scope.known.get(event) : undefined;
    const handler = entry && this.handlers[entry.slot];
    if (!entry || !handler) {
      this.drop(
        typeof event === 'string' ? event : String(event),
        'unknown_event',
        'unknown event',
      );
      return;
    }
    const name = event as string;
    const args = packet.slice(1);
    if (entry.read === 'signal') return this.signal(name, args, handler);
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const payloads = ack ? args.slice(0, -1) : args;
    if (!this.admit(name, ack)) return;
    if (payloads.length !== 1) {
      this.drop(name, 'invalid_message', `expected one payload, got ${payloads.length}`, ack);
      return;
    }
    const parsed = entry.read(payloads[0]);
    if (!parsed.ok) {
      this.drop(name, parsed.code, parsed.message, ack);
      return;
    }
    this.received(name);
    this.inOrder(name, () => this.run(name, () => handler(parsed.value, ack), ack), ack);
  }

  private signal(event: string, args: unknown[], handler: Handler): void {
    if (!this.admit(event, undefined)) return;
    if (args.length > 0 && !(args.length === 1 && typeof args[0] === 'function')) {
      this.drop(event, 'invalid_message', 'this event takes no payload');
      return;
    }
    this.received(event);
    this.inOrder(event, () => this.run(event, () => handler(undefined, undefined)));
  }

  /** Gives `event` its slot in the namespace's scope (the first connection does) and its handler. */
  private register(event: string, read: Reader, handler: Handler): void {
    const { known } = this.scope;
    let entry = known.get(event);
    if (!entry) {
      entry = { slot: known.size, read };
      known.set(event, entry);
    }
    this.handlers[entry.slot] = handler;
  }

  drop(event: string, code: ErrorCode, message: string, ack?: FailureAck): void {
    const { ctx, now, known } = this.scope;
    ctx.metrics.messagesDropped.inc({
      namespace: ctx.namespace,
      event: known.has(event) ? event : 'unknown',
      reason: code,
    });
    const t = now();
    if (t - this.errorWindow >= 1000) {
      this.errorWindow = t;
      this.errorsThisSecond = 0;
    }
    this.errorsThisSecond += 1;
    if (this.errorsThisSecond <= 5) {
      ctx.log.warn(
        {
          namespace: ctx.namespace,
          socket: this.socket.id,
          session: this.socket.data?.sessionId,
          event: event.slice(0, 64),
          code,
          reason: message.slice(0, 200),
        },
        'message dropped',
      );
      const error = { code, message: message.slice(0, 500), event: event.slice(0, 64) };
      if (ack) ack({ ok: false, code, message: error.message });
      else this.socket.emit('protocol:error', error);
    } else if (ack) {
      ack({ ok: false, code, message: 'dropped' });
    }
  }

  on<T>(
    event: string,
    parse: (input: unknown) => Parsed<T>,
    handler: (value: T, ack: never) => Promise<void> | void,
  ): void {
    // The peer's acknowledgement sends whatever it is given; the map types what we give it.
    this.register(event, parse, handler as Handler);
  }

  onSignal(event: string, handler: () => Promise<void> | void): void {
    this.register(event, 'signal', handler);
  }

  track(event: string, work: Promise<unknown>): void {
    const { inFlight } = this.scope.ctx;
    (inFlight ? inFlight.track(work) : work).catch((error: unknown) => this.fail(event, error));
  }

  hold(work: Promise<unknown>): void {
    const { inFlight } = this.scope.ctx;
    // A drain waits for the work too: what follows it writes to the store.
    this.queue.hold(inFlight ? inFlight.track(work) : work);
  }

  /** Runs a handler in arrival order; refuses it when too many wait behind held work. */
  private inOrder(event: string, task: () => void, ack?: Ack): void {
    if (!this.queue.run(task)) this.drop(event, 'rate_limited', 'too many messages waiting', ack);
  }

  private admit(event: string, ack: Ack | undefined): boolean {
    const rate = this.scope.ctx.messagesPerSecond;
    const t = this.scope.now();
    this.tokens = Math.min(rate * 2, this.tokens + ((t - this.last) / 1000) * rate);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.drop(event, 'rate_limited', 'too many messages', ack);
    return false;
  }

  private received(event: string): void {
    const { ctx } = this.scope;
    ctx.metrics.messagesReceived.inc({ namespace: ctx.namespace, event });
  }

  /** Runs a handler; a failure (a store that is away, a bug) is logged and still answers the ack. */
  private run(event: string, task: () => Promise<void> | void, ack?: Ack): void {
    const { inFlight } = this.scope.ctx;
    try {
      const pending = task();
      if (pending) {
        (inFlight ? inFlight.track(pending) : pending).catch((error: unknown) =>
          this.fail(event, error, ack),
        );
      }
    } catch (error) {
      this.fail(event, error, ack);
    }
  }

  private fail(event: string, error: unknown, ack?: Ack): void {
    const { ctx } = this.scope;
    ctx.log.error(
      { err: error, namespace: ctx.namespace, event, session: this.socket.data?.sessionId },
      'handler failed',
    );
    this.drop(event, 'internal', 'the server could not handle this message', ack);
  }
}

/** Guards one connection with its namespace's shared scope, typed by the namespace's map `M`. */
export function guardSocket<M = InboundEvents>(socket: Socket, scope: GuardScope): Guard<M> {
  // The class registers by name and hands payloads on untyped; Guard<M> is its checked face.
  return new SocketGuard(socket as unknown as Socket<InboundEvents>, scope) as Guard<M>;
}
