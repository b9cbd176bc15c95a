/**
 * The customer's side of one co-browsing session: the socket, the session handshake, numbering
 * and sending what the recorder emits, and the widget. Every server event handler is guarded.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  CustomerToServerEvents,
  EndReason,
  MutationOp,
  ServerToCustomerEvents,
  SessionView,
  StartResult,
} from '../../src/protocol/index.ts';
import {
  CUSTOMER_NAMESPACE,
  PROTOCOL_VERSION,
  RECONNECT_OPTIONS,
} from '../../src/protocol/index.ts';
import { guard, report } from './guard.ts';
import { setRestrictions } from './masking.ts';
import { ControlExecutor, findNode } from './control.ts';
import { startRecorder, type Recorder } from './recorder.ts';
import { packTreeInSlices } from './snapshot-wire.ts';
import { messageChannelYield } from './tasks.ts';
import { createWidget, describeAgents, type Widget } from './widget.ts';

export type SessionState = 'connecting' | 'waiting' | 'active' | 'reconnecting' | 'ended';

export interface SessionOptions {
  /** The Tandem server's origin. */
  origin: string;
  doc: Document;
  /** Called once when the session ends, from either side. */
  onEnd?: (reason: EndReason | 'stopped') => void;
}

type CustomerSocket = Socket<ServerToCustomerEvents, CustomerToServerEvents>;

/** How long "Session ended" stays before the widget goes away (it has a Close button too). */
const ENDED_NOTICE_MS = 10_000;

export class CustomerSession {
  state: SessionState = 'connecting';
  private readonly socket: CustomerSocket;
  private readonly widget: Widget;
  private recorder: Recorder | undefined;
  /** Applies an agent's actions, only while the customer allows that agent. */
  private readonly control: ControlExecutor;
  private credentials: { sessionId: string; token: string } | undefined;
  /** True while the server knows this connection as the session's customer. */
  private ready = false;
  private seq = 0;
  /** Counts snapshots taken: one being packed when the next starts is not sent. */
  private snapshots = 0;
  private readonly yieldTask: (task: () => void) => void;
  readonly code: Promise<string>;

  constructor(private readonly options: SessionOptions) {
    this.widget = createWidget(options.doc, {
      onEnd: () => this.end(),
      onDismissDrawings: () => this.dismissDrawings(),
      findElement: (id) => {
        const node = findNode(options.doc, id, (n) => this.recorder?.peekId(n));
        return node?.nodeType === Node.ELEMENT_NODE ? (node as Element) : null;
      },
    });
    this.yieldTask = messageChannelYield(options.doc.defaultView ?? window);
    this.socket = io(`${options.origin}${CUSTOMER_NAMESPACE}`, {
      transports: ['websocket'],
      ...RECONNECT_OPTIONS,
    });
    this.code = new Promise<string>((resolve, reject) => {
      this.socket.on(
        'connect',
        guard(() => this.onConnect(resolve, reject)),
      );
    });
    this.code.catch(() => undefined); // The caller may not listen; a failure is not unhandled.
    const socket = this.socket;
    socket.on(
      'disconnect',
      guard(() => {
        this.ready = false;
        if (this.state !== 'ended') this.setState('reconnecting', 'Reconnecting…');
      }),
    );
    socket.on(
      'session:state',
      guard((view: SessionView) => this.onView(view)),
    );
    socket.on(
      'page:resync',
      guard(() => this.sendSnapshot()),
    );
    socket.on(
      'agent:pointer',
      guard((pointer) => this.widget.showPointer(pointer)),
    );
    this.control = new ControlExecutor({
      doc: options.doc,
      idOf: (node) => this.recorder?.peekId(node),
      isIgnored: (node) => this.widget.host.contains(node),
    });
    socket.on(
      'control:request',
      guard((ask) =>
        this.widget.consent.ask(ask, (allow) => {
          if (this.ready) this.socket.emit('control:answer', { agentId: ask.agentId, allow });
        }),
      ),
    );
    socket.on(
      'control:state',
      guard((status) => {
        this.control.setGranted(status.state === 'granted' ? status.agentId : null);
        this.widget.consent.show(status, () => {
          this.control.setGranted(null); // at once, before the server confirms
          if (this.ready) this.socket.emit('control:revoke');
        });
      }),
    );
    socket.on(
      'control:action',
      // An action the snippet refuses (no consent, read-only, unknown node) is simply not done.
      guard((action) => void this.control.apply(action)),
    );
    socket.on(
      'session:ended',
      guard(({ reason }) => this.finish(reason)),
    );
    socket.on(
      'protocol:error',
      guard((error) => report(`refused by server: ${error.code} (${error.event})`)),
    );
  }

  private onConnect(resolve: (code: string) => void, reject: (error: Error) => void): void {
    const onResult = guard((res: StartResult) => {
      if (!res.ok) {
        reject(new Error(res.message));
        this.finish('server');
        return;
      }
      this.credentials = { sessionId: res.sessionId, token: res.token };
      // The server's rules before anything is serialized; until now only the built-ins applied.
      setRestrictions(res.restrictions);
      this.ready = true;
      this.widget.setCode(res.code);
      if (this.state === 'connecting' || this.state === 'reconnecting') {
        this.setState('waiting', describeAgents([]));
      }
      resolve(res.code);
      this.recorder ??= this.startRecording();
      this.sendSnapshot();
    });
    if (this.credentials) {
      this.socket.emit(
        'session:resume',
        { protocol: PROTOCOL_VERSION, ...this.credentials },
        onResult,
      );
    } else {
      const url = this.options.doc.location.href;
      this.socket.emit('session:start', { protocol: PROTOCOL_VERSION, url }, onResult);
    }
  }

  private startRecording(): Recorder {
    return startRecorder({
      doc: this.options.doc,
      isIgnored: (node) => node === this.widget.host,
      onBatch: (ops) => this.sendBatch(ops),
      onPointer: (pointer) => {
        if (this.ready) this.socket.volatile.emit('page:pointer', pointer);
      },
    });
  }

  private onView(view: SessionView): void {
    if (view.status === 'ended') return;
    const names = view.agents.map((agent) => agent.name);
    this.setState(names.length > 0 ? 'active' : 'waiting', describeAgents(names));
  }

  private setState(state: SessionState, text: string): void {
    this.state = state;
    this.widget.setStatus(text);
  }

  /** A full snapshot; the next sequence number, since a snapshot restarts nothing. */
  private sendSnapshot(): void {
    if (!this.ready || !this.recorder) return;
    const taken = ++this.snapshots;
    const wanted = (): boolean => this.ready && taken === this.snapshots;
    // Taken and packed in slices; a disconnect meanwhile drops it (the resume asks for a new one).
    this.recorder.snapshot(async ({ doc, ...page }) => {
      const packed = await packTreeInSlices(doc, {
        yieldTask: this.yieldTask,
        cancelled: () => !wanted(),
      });
      if (!packed || !wanted()) return;
      this.seq += 1;
      this.socket.emit('page:snapshot', { seq: this.seq, ...page, ...packed });
    });
  }

  private sendBatch(ops: MutationOp[]): void {
    // While disconnected nothing is sent (and no number used): a snapshot follows the resume.
    if (!this.ready) return;
    this.seq += 1;
    this.socket.emit('page:batch', { seq: this.seq, sentAt: Date.now(), ops });
  }

  /** The customer cleared the agents' drawings: the agents hear of it. */
  private dismissDrawings(): void {
    // Wired to the server once the annotation events are part of the protocol.
  }

  /** Ends the session for everyone (the widget's button). */
  end(): void {
    if (this.state === 'ended') return;
    if (this.socket.connected) this.socket.emit('session:end');
    this.finish('customer');
  }

  /** The site ends co-browsing: the session ends for everyone and nothing is left behind. */
  stop(): void {
    if (this.state !== 'ended' && this.socket.connected) this.socket.emit('session:end');
    this.finish('stopped', false);
  }

  private finish(reason: EndReason | 'stopped', notice = true): void {
    const wasEnded = this.state === 'ended';
    this.state = 'ended';
    this.ready = false;
    this.control.setGranted(null);
    this.recorder?.stop();
    this.recorder = undefined;
    this.socket.disconnect();
    if (notice && reason !== 'stopped') {
      this.widget.ended(reason, Date.now());
      setTimeout(
        guard(() => this.widget.remove()),
        ENDED_NOTICE_MS,
      );
    } else {
      this.widget.remove();
    }
    if (!wasEnded) this.options.onEnd?.(reason);
  }
}
