/** The customer's side: start or resume a session, stream the page, end it. */
import type { Socket } from 'socket.io';
import { formatCode } from '../security/session-codes.ts';
import {
  parseBatch,
  parsePointer,
  parseResumeRequest,
  parseSnapshotEnvelope,
  parseStartRequest,
} from '../protocol/validate.ts';
import type { PagePipeline } from '../dom/pipeline.ts';
import type { DomRestrictions, PageBatch, PageSnapshot } from '../protocol/index.ts';
import type { SessionService } from '../session/service.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { agentsRoom, announceState, customerRoom, type Namespaces } from './rooms.ts';
import { openConnection } from './connection.ts';
import type { CustomerNamespace } from './socket-types.ts';
import type { InFlight } from './drain.ts';
import type { Audit } from '../security/audit.ts';
import { customerActor } from '../security/audit-actors.ts';
import type { CodeAttemptGuard } from '../security/code-attempts.ts';
import type { SessionRateLimiter } from '../security/rate-limits.ts';
import type { SessionSource } from '../security/supervision.ts';
import { attachCustomerControl, type ControlHandlerDeps } from './control-handlers.ts';
import { statusOf } from '../session/control.ts';
import { ERROR_CODES, matchesPausePage } from '../protocol/index.ts';
import { attachCustomerContinuity } from './customer-continuity.ts';
import { finishSession, type ReceiptSource } from './session-end.ts';
import { attachCustomerPolicy } from './customer-policy.ts';
import { ArrivalOrder, inArrivalOrder } from './arrival-order.ts';
import { attachCustomerAnnotations } from './annotation-handlers.ts';

import { createSnapshotIntake, type SnapshotIntake } from './snapshot-intake.ts';

/** `limits.snapshotBytesPerMinute` and `limits.inflatedBytesPerMinute` when not given. */
export const SNAPSHOT_BUDGET_DEFAULTS = {
  snapshotBytesPerMinute: 32 * 1024 * 1024,
  inflatedBytesPerMinute: 64 * 1024 * 1024,
} as const;

/** How long a customer is given to answer a request for a snapshot before it is asked again. */
const SNAPSHOT_ASK_RETRY_MS = 2000;

export interface NamespaceDeps {
  sessions: SessionService;
  /** Sanitizes, enforces restrictions on and rewrites every page message before it is kept or relayed. */
  pipeline: PagePipeline;
  /** The DOM restrictions sent to the snippet in the start/resume ack (and enforced in the pipeline). */
  restrictions: DomRestrictions;
  /** `session.pausePages`: sent to the snippet, and no page data from such a page is accepted. */
  pausePages?: readonly string[];
  /**
   * True when a page on `origin` belongs to the site (`cross-origin.allowedOrigins`, or this
   * server's own origin for the socket): the session follows the customer there.
   */
  isSiteOrigin?: (origin: string) => boolean;
  /** Handlers still running, awaited by a drain. */
  inFlight?: InFlight;
  namespaces: Namespaces;
  log: Logger;
  metrics: Metrics;
  maxNodes: number;
  messagesPerSecond: number;
  /** Packed tree bytes one customer connection may send a minute. Default 32 MiB. */
  snapshotBytesPerMinute?: number;
  /** Bytes one customer connection's packed trees may inflate to a minute. Default 64 MiB. */
  inflatedBytesPerMinute?: number;
  /** Bytes waiting to be written to one connection before it is dropped. Default 32 MiB. */
  maxOutboundBytes?: number;
  /** Injected clock (resync limits). Default `Date.now`. */
  now?: () => number;
  /** The client's address, honouring X-Forwarded-For only when configured. */
  addressOf: (socket: Socket) => string;
  /** One line per security event. */
  audit?: Audit;
  /** SHA-256 of the masking rules this server enforces; snippets report theirs. */
  policyHash?: string;
  /** The audit chain's records, for the receipt sent when a session ends. */
  receipts?: ReceiptSource;
  /** Control of the customer's page; absent, the control events are unknown. */
  control?: ControlHandlerDeps;
  /** Code guessing: per-minute budgets and lockout per address and agent. */
  codeAttempts?: CodeAttemptGuard;
  /** Messages per second per session, over all of its customer's connections. */
  sessionRate?: SessionRateLimiter;
  /** Every live session, for supervisors. */
  sessionList?: SessionSource;
}

export function attachCustomerNamespace(nsp: CustomerNamespace, deps: NamespaceDeps): void {
  const { sessions, namespaces, log, metrics } = deps;
  const pausePages = deps.pausePages ?? [];

  nsp.on('connection', (raw) => {
    const { socket, data, guard } = openConnection(raw, 'customer', deps);

    const bind = (sessionId: string): void => {
      if (data.sessionId && data.sessionId !== sessionId)
        void socket.leave(customerRoom(data.sessionId));
      data.sessionId = sessionId;
      void socket.join(customerRoom(sessionId));
    };

    guard.on('session:start', parseStartRequest, async (req, ack) => {
      if (!ack)
        return guard.drop(
          'session:start',
          'invalid_message',
          'session:start needs an acknowledgement',
        );
      const origin = socket.handshake.headers.origin ?? '';
      const result = await sessions.start(req, {
        origin,
        address: deps.addressOf(socket),
        connection: socket.id,
      });
      if (!result.ok) return guard.drop('session:start', result.code, result.message, ack);
      bind(result.session.id);
      metrics.sessionsStarted.inc();
      log.info({ session: result.session.id, origin }, 'session started');
      deps.audit?.('session.started', {
        session: result.session.id,
        actor: customerActor(result.session.id),
        detail: { origin, address: deps.addressOf(socket) },
      });
      ack({
        ok: true,
        sessionId: result.session.id,
        code: formatCode(result.session.code),
        token: result.token,
        expiresAt: result.expiresAt,
        restrictions: deps.restrictions,
        pausePages: [...pausePages],
        lastSeq: 0,
      });
      announceState(namespaces, result.session);
    });

    guard.on('session:resume', parseResumeRequest, async (req, ack) => {
      if (!ack)
        return guard.drop(
          'session:resume',
          'invalid_message',
          'session:resume needs an acknowledgement',
        );
      const origin = socket.handshake.headers.origin ?? '';
      const result = await sessions.resume(req, { origin, connection: socket.id });
      if (!result.ok) {
        // A stolen, replayed or stale credential: refused alike, logged, counted, audited.
        deps.audit?.('session.resume_refused', {
          session: req.sessionId.slice(0, 64),
          actor: customerActor(req.sessionId.slice(0, 64)),
          reason: result.code,
          detail: { origin: origin.slice(0, 200), address: deps.addressOf(socket) },
        });
        return guard.drop('session:resume', result.code, result.message, ack);
      }
      bind(result.session.id);
      data.paused = false;
      takeOver(result.session.id);
      log.info({ session: result.session.id, origin }, 'customer resumed');
      deps.audit?.('session.resumed', {
        session: result.session.id,
        actor: customerActor(result.session.id),
        detail: { origin },
      });
      ack({
        ok: true,
        sessionId: result.session.id,
        code: formatCode(result.session.code),
        token: result.token,
        expiresAt: 0,
        restrictions: deps.restrictions,
        pausePages: [...pausePages],
        lastSeq: result.lastSeq,
      });
      announceState(namespaces, result.session);
      // Control survives the page change: the new page's widget shows it and its Stop button.
      if (deps.control) socket.emit('control:state', statusOf(result.session));
    });

    // Page messages relay in the order they arrived (arrival-order.ts); their writes overlap.
    const order = new ArrivalOrder();
    /** When a fresh snapshot was last asked for (a gap, or no page copy) and has not come. */
    let snapshotAskedAt = Number.NEGATIVE_INFINITY;

    // Created at the connection's first packed snapshot: most connections are not sent one.
    let intake: SnapshotIntake | undefined;

    /** A snapshot that passed every check, cleaned and written; resolves to its relay. */
    const storeSnapshot = (sessionId: string, snapshot: PageSnapshot) => {
      data.paused = false;
      snapshotAskedAt = Number.NEGATIVE_INFINITY;
      const clean = deps.pipeline.snapshot({ sessionId }, snapshot);
      const write = sessions.acceptSnapshot(sessionId, clean);
      return async (): Promise<(() => void) | null> => {
        const result = await write;
        if (!result.ok) {
          refuse('page:snapshot', sessionId, result.code, result.message);
          return null;
        }
        return () => {
          if (result.live) announceState(namespaces, result.live);
          namespaces.agents.to(agentsRoom(sessionId)).emit('page:snapshot', clean);
          metrics.messagesRelayed.inc({ event: 'page:snapshot' });
        };
      };
    };

    // Only the outer shape is checked before the session and rate checks: a packed tree is
    // inflated after them, within the connection's byte budgets, off the event loop.
    guard.on(
      'page:snapshot',
      (input) => parseSnapshotEnvelope(input, deps.maxNodes),
      (envelope) =>
        inArrivalOrder(order, async () => {
          const sessionId = data.sessionId;
          if (!sessionId) {
            guard.drop('page:snapshot', 'not_in_session', 'start a session first');
            return null;
          }
          if (deps.sessionRate && !deps.sessionRate.take(sessionId)) {
            guard.drop('page:snapshot', 'rate_limited', 'too many messages in this session');
            return null;
          }
          if (matchesPausePage(envelope.url, pausePages)) {
            // A snippet that ignored the pause (modified, or outdated): nothing of it goes on.
            guard.drop('page:snapshot', 'paused', 'this page is a pause page');
            await pausePage(sessionId);
            return null;
          }
          if (!('tree' in envelope)) return storeSnapshot(sessionId, envelope)();
          intake ??= createSnapshotIntake({
            snapshotBytesPerMinute:
              deps.snapshotBytesPerMinute ?? SNAPSHOT_BUDGET_DEFAULTS.snapshotBytesPerMinute,
            inflatedBytesPerMinute:
              deps.inflatedBytesPerMinute ?? SNAPSHOT_BUDGET_DEFAULTS.inflatedBytesPerMinute,
            maxNodes: deps.maxNodes,
          });
          const read = intake.read(envelope);
          if ('now' in read) {
            if (read.now.ok) return storeSnapshot(sessionId, read.now.value)();
            guard.drop('page:snapshot', read.now.code, read.now.message);
            return null;
          }
          // The connection's later messages start once the tree is read and its write issued, so
          // that a batch sent during the inflate is written after the snapshot it follows.
          const written = read.later.then((parsed) => {
            if (parsed.ok) return { relay: storeSnapshot(sessionId, parsed.value) };
            guard.drop('page:snapshot', parsed.code, parsed.message);
            return null;
          });
          guard.hold(written);
          const started = await written;
          return started ? started.relay() : null;
        }),
    );

    guard.on(
      'page:batch',
      (input) => parseBatch(input, deps.maxNodes),
      (batch) =>
        inArrivalOrder(order, async () => {
          const sessionId = data.sessionId;
          if (!sessionId) {
            guard.drop('page:batch', 'not_in_session', 'start a session first');
            return null;
          }
          if (data.paused) {
            guard.drop('page:batch', 'paused', ERROR_CODES.paused);
            return null;
          }
          if (deps.sessionRate && !deps.sessionRate.take(sessionId)) {
            guard.drop('page:batch', 'rate_limited', 'too many messages in this session');
            return null;
          }
          // The pointer rides along to the agents; the page steps and the store never see it.
          const { pointer, ...page } = batch;
          const clean = deps.pipeline.batch({ sessionId }, page);
          if (!clean) {
            refuse('page:batch', sessionId, 'page_state_missing', 'no page copy for this batch');
            return null;
          }
          // Relayed without waiting for the store, which stays the judge of the sequence: a batch
          // it refuses (a gap, a duplicate) asks the customer for a fresh snapshot, and the
          // agents, which check the sequence themselves, drop it or ask for the stored page.
          const write = sessions.acceptBatch(sessionId, clean).then((result) => {
            if (!result.ok) refuse('page:batch', sessionId, result.code, result.message);
            else if (result.compact) socket.emit('page:resync', { reason: 'compact' });
          });
          // A drain waits for the write; a failure is the handler's, logged and answered.
          guard.track('page:batch', write);
          return () => {
            // Stamped for the relay-latency metric on the agents' nodes, never stored; it goes
            // before the ops, in the head of the frame, where the agents' nodes read it.
            const relayed: PageBatch = {
              seq: clean.seq,
              sentAt: clean.sentAt,
              relayedAt: Date.now(),
              ops: clean.ops,
            };
            if (pointer) relayed.pointer = pointer;
            namespaces.agents.to(agentsRoom(sessionId)).emit('page:batch', relayed);
            metrics.messagesRelayed.inc({ event: 'page:batch' });
          };
        }),
    );

    guard.on('page:pointer', parsePointer, (pointer) => {
      const sessionId = data.sessionId;
      if (!sessionId) return guard.drop('page:pointer', 'not_in_session', 'start a session first');
      if (data.paused) return guard.drop('page:pointer', 'paused', ERROR_CODES.paused);
      namespaces.agents
        .to(agentsRoom(sessionId))
        .volatile.emit('page:pointer', { x: pointer.x, y: pointer.y });
    });

    guard.onSignal('session:end', async () => {
      const sessionId = data.sessionId;
      if (!sessionId) return guard.drop('session:end', 'not_in_session', 'no session to end');
      data.sessionId = undefined;
      const ended = await sessions.end(sessionId, 'customer');
      if (ended) metrics.sessionsEnded.inc({ reason: 'customer' });
      log.info({ session: sessionId }, 'session ended by customer');
      deps.sessionRate?.forget(sessionId);
      await finishSession(deps, sessionId, 'customer', customerActor(sessionId));
    });

    if (deps.control) attachCustomerControl(socket, guard, deps.control, namespaces);
    const pausePage = attachCustomerContinuity({ data, guard, deps });
    attachCustomerPolicy(data, guard, deps);
    attachCustomerAnnotations(socket, guard, { namespaces, log });

    socket.on('disconnect', () => {
      const sessionId = data.sessionId;
      if (!sessionId) return;
      void sessions
        .customerLeft(sessionId, socket.id)
        .then((result) => result.ok && announceState(namespaces, result.session))
        .catch((error: unknown) =>
          log.error({ err: error, session: sessionId }, 'customer disconnect failed'),
        );
    });

    /**
     * This connection shares the session now (a reload, the next page, or another tab that came
     * to the front): any other connection of it, on any node, stands by and hears no more of it.
     */
    function takeOver(sessionId: string): void {
      const room = customerRoom(sessionId);
      socket.to(room).emit('session:standby');
      namespaces.customers.in(room).except(socket.id).socketsLeave(room);
    }

    /** A refused page message: a gap asks for a fresh snapshot; a session that is gone says so. */
    function refuse(
      event: string,
      sessionId: string,
      code: Parameters<typeof guard.drop>[1],
      message: string,
    ): void {
      if (code === 'sequence_gap' || code === 'page_state_missing') {
        metrics.messagesDropped.inc({ namespace: 'customer', event, reason: code });
        // Asked once until a snapshot comes (the batches in flight meanwhile are dropped alike),
        // and again after a while should that snapshot be lost.
        const now = Date.now();
        if (now - snapshotAskedAt < SNAPSHOT_ASK_RETRY_MS) return;
        snapshotAskedAt = now;
        log.info({ session: sessionId, reason: message, code }, 'asking for a snapshot');
        socket.emit('page:resync', { reason: code });
        return;
      }
      if (code === 'session_ended') {
        data.sessionId = undefined;
        void socket.leave(customerRoom(sessionId));
        socket.emit('session:ended', { reason: 'expired' });
      }
      guard.drop(event, code, message);
    }
  });
}
