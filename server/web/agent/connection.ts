/**
 * The agent's socket: join by code (or, for a supervisor, watch by session id), check the stream
 * order, and report what happens. Rejoins the same way after a reconnect; every handler is wrapped so one bad message
 * cannot break the console.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Annotation,
  AnnotationDraw,
  AnnotationsCleared,
  ControlAction,
  SessionReceipt,
  SessionWarning,
  ControlStatus,
  SimpleResult,
  AgentToServerEvents,
  EndReason,
  JoinResult,
  NavigateAction,
  PageBatch,
  PageSnapshot,
  PointerPosition,
  ProtocolError,
  ServerToAgentEvents,
  SessionView,
} from '../../src/protocol/index.ts';
import { AGENT_NAMESPACE, RECONNECT_OPTIONS, PROTOCOL_VERSION } from '../../src/protocol/index.ts';
import { SequenceTracker } from './sequence.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'ended';

/** Which session to enter: by the code the customer reads out, or any session by its id (`session:watch`, supervisors only). */
export type JoinTarget = { code: string; name?: string } | { sessionId: string };

export interface ConnectionEvents {
  state(state: ConnectionState): void;
  view(view: SessionView): void;
  snapshot(snapshot: PageSnapshot): void;
  batch(batch: PageBatch): void;
  pointer(pointer: PointerPosition): void;
  /** The session ended: `self` when this agent pressed End, `left` when it left. */
  ended(reason: EndReason | 'left' | 'self'): void;
  /** The join was refused (bad code, full session…); the connection is closed. */
  refused(message: string): void;
  /** Who controls the customer's page now. */
  control?(status: ControlStatus): void;
  /** A warning about the session (the snippet masks by other rules than the server). */
  warning?(warning: SessionWarning): void;
  /** The session's receipt (its final audit hash), just before it ends. */
  receipt?(receipt: SessionReceipt): void;
  /** The server refused one of this agent's messages (`protocol:error`), other than sign-in. */
  rejected?(error: ProtocolError): void;
  /** An agent of the session (this one included) drew on the customer's page. */
  annotation?(annotation: Annotation): void;
  annotationsCleared?(cleared: AnnotationsCleared): void;
}

/** How long to wait for the server to confirm that the session ended. */
const END_CONFIRM_MS = 3000;

type AgentSocket = Socket<ServerToAgentEvents, AgentToServerEvents>;

function safely<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (error) {
      // eslint-disable-next-line no-console -- diagnostics for whoever supports the console
      console.warn('[tandem] handler failed', error);
    }
  };
}

export class AgentConnection {
  private readonly socket: AgentSocket;
  private readonly sequence = new SequenceTracker();
  private joined = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** This agent pressed End: the server's confirmation is then "you ended it". */
  private ending = false;
  agentId: string | undefined;

  constructor(
    origin: string,
    private readonly request: JoinTarget & { token: string },
    private readonly events: ConnectionEvents,
  ) {
    this.socket = io(`${origin}${AGENT_NAMESPACE}`, {
      transports: ['websocket'],
      ...RECONNECT_OPTIONS,
      auth: { token: request.token },
    });
    const socket = this.socket;
    events.state('connecting');
    socket.on(
      'connect_error',
      safely((error: Error & { data?: { message?: unknown } }) => {
        // A refused token will not get better by retrying: stop and say so.
        if (error.message !== 'unauthorized' && error.message !== 'forbidden_origin') return;
        const reason = typeof error.data?.message === 'string' ? `: ${error.data.message}` : '';
        this.close();
        events.refused(`Sign-in refused${reason}. Sign in again.`);
      }),
    );
    socket.on(
      'connect',
      safely(() => this.join()),
    );
    socket.on(
      'disconnect',
      safely(() => {
        this.sequence.reset();
        if (!this.closed) events.state('reconnecting');
      }),
    );
    socket.on(
      'session:state',
      safely((view) => events.view(view)),
    );
    socket.on(
      'page:snapshot',
      safely((snapshot) => {
        if (this.sequence.snapshot(snapshot.seq)) events.snapshot(snapshot);
      }),
    );
    socket.on(
      'page:batch',
      safely((batch) => {
        const verdict = this.sequence.batch(batch.seq);
        // A position, not a change: shown whatever the batch's own fate.
        if (batch.pointer) events.pointer(batch.pointer);
        if (verdict === 'apply') events.batch(batch);
        else if (verdict === 'resync') socket.emit('page:resync');
        else this.retryLater();
      }),
    );
    socket.on(
      'control:state',
      safely((status) => events.control?.(status)),
    );
    socket.on(
      'page:pointer',
      safely((pointer) => events.pointer(pointer)),
    );
    socket.on(
      'annotation:show',
      safely((annotation) => events.annotation?.(annotation)),
    );
    socket.on(
      'annotation:cleared',
      safely((cleared) => events.annotationsCleared?.(cleared)),
    );
    socket.on(
      'session:warning',
      safely((warning) => events.warning?.(warning)),
    );
    socket.on(
      'session:receipt',
      safely((receipt) => events.receipt?.(receipt)),
    );
    socket.on(
      'session:ended',
      safely(({ reason }) => this.finish(reason)),
    );
    socket.on(
      'protocol:error',
      safely((error) => {
        // eslint-disable-next-line no-console -- a refused message is worth seeing in devtools
        console.warn('[tandem] refused by server:', error.code, error.event);
        if (error.code === 'unauthorized') {
          this.close();
          events.refused('Your sign-in expired. Sign in again.');
          return;
        }
        events.rejected?.(error);
      }),
    );
  }

  /**
   * A gap whose resync request had to wait is asked for once the wait is over: the customer may
   * send nothing more, and the mirror must not stay behind until it does.
   */
  private retryLater(): void {
    const dueInMs = this.sequence.retryDueInMs;
    if (dueInMs === null || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(
      safely(() => {
        this.retryTimer = undefined;
        if (this.socket.connected && this.sequence.retry()) this.socket.emit('page:resync');
      }),
      dueInMs,
    );
  }

  /** The last sequence number applied (for tests and diagnostics). */
  get lastSeq(): number {
    return this.sequence.lastSeq;
  }

  private join(): void {
    const done = safely((res: JoinResult) => {
      if (res.ok) {
        this.joined = true;
        this.agentId = res.agentId;
        this.events.state('connected');
      } else if (this.joined) {
        this.finish('expired'); // The session went away while we were disconnected.
      } else {
        this.close();
        this.events.refused(
          res.code === 'forbidden'
            ? `You are not allowed to do this: ${res.message}.`
            : res.message,
        );
      }
    });
    const request = this.request;
    if ('sessionId' in request) {
      const req = { protocol: PROTOCOL_VERSION, sessionId: request.sessionId };
      this.socket.emit('session:watch', req, done);
      return;
    }
    const req = { protocol: PROTOCOL_VERSION, code: request.code };
    const name = request.name?.trim();
    this.socket.emit('session:join', name ? { ...req, name } : req, done);
  }

  /** The agent's pointer, in the customer's viewport coordinates. */
  sendPointer(pointer: PointerPosition): void {
    if (this.joined && this.socket.connected) this.socket.volatile.emit('agent:pointer', pointer);
  }

  /** A highlight or a stroke on the customer's page (no control needed). */
  sendAnnotation(draw: AnnotationDraw): void {
    if (this.joined && this.socket.connected) this.socket.emit('annotation:draw', draw);
  }

  /** Takes this agent's drawings away, for the customer and every agent. */
  clearAnnotations(): void {
    if (this.joined && this.socket.connected) this.socket.emit('annotation:clear');
  }

  /** Asks the customer for control; resolves when the server has passed the request on. */
  requestControl(): Promise<SimpleResult> {
    if (!this.joined)
      return Promise.resolve({ ok: false, code: 'not_in_session', message: 'Not in a session.' });
    return this.socket.timeout(10_000).emitWithAck('control:request', {});
  }

  releaseControl(): void {
    if (this.joined) this.socket.emit('control:release');
  }

  sendAction(action: ControlAction): void {
    if (this.joined && this.socket.connected) this.socket.emit('control:action', action);
  }

  /** Back, forward, reload or a URL of the site, in the customer's tab (needs control). */
  sendNavigate(action: NavigateAction): void {
    if (this.joined && this.socket.connected) this.socket.emit('control:navigate', action);
  }

  /** Leaves; the session goes on for the customer. */
  leave(): void {
    if (this.socket.connected) this.socket.emit('session:leave');
    this.finish('left');
  }

  /** Ends the session for everyone. The server confirms with `session:ended`. */
  end(): void {
    this.ending = true;
    if (!this.socket.connected) return this.finish('agent');
    this.socket.emit('session:end');
    // Should the confirmation be lost, the console still ends on its side.
    setTimeout(() => this.finish('agent'), END_CONFIRM_MS);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  private finish(reason: EndReason | 'left'): void {
    if (this.closed) return;
    this.close();
    this.events.state('ended');
    this.events.ended(reason === 'agent' && this.ending ? 'self' : reason);
  }
}
