/**
 * The clients the resilience scenario drives, on the real socket.io-client (its reconnection and
 * backoff are the snippet's and the console's). Tandem's customer behaves like the snippet: it
 * numbers every message, sends nothing while disconnected, resumes with its token and answers
 * `page:resync` with a fresh snapshot; Tandem's agent behaves like the console: it rejoins by
 * code, applies a batch only if its seq follows the last one, and asks for a resync on a gap.
 * The baseline's clients are bare Socket.IO: emit (buffered while disconnected, the library's
 * default), receive, nothing more.
 *
 * The customer's page has a version that goes up with every update, whether or not it is
 * connected; each batch carries the version it makes, each snapshot the version it shows. The
 * ledger records when each version was made and when its effect first reached the agent.
 */
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, RECONNECT_OPTIONS } from '../../server/src/protocol/index.ts';
import type { Kind } from './deployment.ts';
import { pageSnapshot } from '../../test/support/pages.ts';

export interface Ledger {
  /** When each version was made (index = version; version 0 is the first snapshot). */
  madeAt: number[];
  /** When each version's effect first reached the agent; undefined until it does. */
  deliveredAt: Array<number | undefined>;
  /** Batches applied whose effect the agent's page already had. */
  dupApplied: number;
  /** Batches applied that skipped a version (the agent's page silently diverged). */
  gapApplied: number;
  /** Last time anything reached the agent, to tell a drained stream from a lossy one. */
  lastActivity: number;
}

export interface ReconnectSample {
  role: 'customer' | 'agent';
  disconnectedAt: number;
  /** Customer: resumed (Tandem) or connected (baseline); agent: rejoined and receiving the page. */
  recoveredAt: number;
}

export interface ClientContext {
  kind: Kind;
  /** The gate's `https://` URL. */
  url: string;
  cookie: string;
  now: () => number;
  /** Every recovery of every client goes here. */
  samples: ReconnectSample[];
  /** Agent token (Tandem). */
  token: string;
}

export interface Pair {
  ledger: Ledger;
  customer: BenchCustomer;
  agent: BenchAgent;
}

const VERSION = /ver:(\d+)/;

/** The version a snapshot shows or a batch makes, read from its text node. */
function versionOf(payload: unknown): number {
  const match = VERSION.exec(JSON.stringify(payload));
  return match ? Number(match[1]) : Number.NaN;
}

function seqOf(payload: unknown): number {
  const seq = (payload as { seq?: unknown } | null)?.seq;
  return typeof seq === 'number' ? seq : Number.NaN;
}

function connect(ctx: ClientContext, namespace: string, node: string, auth: object): Socket {
  return io(`${ctx.url}${namespace}`, {
    transports: ['websocket'],
    forceNew: true,
    // Pins the client to a node through HAProxy's affinity cookie.
    extraHeaders: { cookie: `${ctx.cookie}=${node}` },
    rejectUnauthorized: false,
    // The snippet's and the console's own reconnection settings.
    ...RECONNECT_OPTIONS,
    auth,
  });
}

/** Disconnect → recovery bookkeeping shared by every client. */
class Recovery {
  private downSince: number | null = null;
  constructor(
    private readonly ctx: ClientContext,
    private readonly role: ReconnectSample['role'],
  ) {}
  down(): void {
    this.downSince ??= this.ctx.now();
  }
  up(): void {
    if (this.downSince === null) return;
    this.ctx.samples.push({
      role: this.role,
      disconnectedAt: this.downSince,
      recoveredAt: this.ctx.now(),
    });
    this.downSince = null;
  }
  get isDown(): boolean {
    return this.downSince !== null;
  }
}

const snapshotOf = (version: number, seq: number): object =>
  pageSnapshot(
    seq,
    [
      {
        type: 'element',
        id: 4,
        tag: 'p',
        attrs: {},
        children: [{ type: 'text', id: 5, text: `ver:${version}` }],
      },
    ],
    { url: 'https://shop.bench/checkout', title: 'Resilience' },
  );

export class BenchCustomer {
  version = 0;
  /** False once a resume was refused: the session is gone. */
  lost = false;
  readonly code: Promise<string>;
  private seq = 0;
  private ready = false;
  private credentials: { sessionId: string; token: string } | undefined;
  private readonly socket: Socket;
  private readonly recovery: Recovery;

  constructor(
    private readonly ctx: ClientContext,
    private readonly ledger: Ledger,
    node: string,
    room: string,
  ) {
    this.recovery = new Recovery(ctx, 'customer');
    ledger.madeAt[0] = ctx.now();
    this.socket = connect(ctx, '/customer', node, ctx.kind === 'tandem' ? {} : { room });
    this.socket.on('disconnect', () => {
      this.ready = false;
      this.recovery.down();
    });
    if (ctx.kind !== 'tandem') {
      this.code = Promise.resolve(room);
      this.socket.on('connect', () => {
        this.ready = true;
        this.recovery.up();
      });
      return;
    }
    this.code = new Promise((resolve) => {
      this.socket.on('connect', () => this.handshake(resolve));
    });
    this.socket.on('page:resync', () => this.sendSnapshot());
  }

  /** Connected, and for Tandem known to the server as the session's customer. */
  get isReady(): boolean {
    return this.ready;
  }

  private handshake(resolve: (code: string) => void): void {
    const onResult = (res: unknown): void => {
      const r = res as { ok?: unknown; code?: unknown; sessionId?: unknown; token?: unknown };
      if (r.ok !== true || typeof r.code !== 'string') {
        if (this.credentials) this.lost = true;
        return;
      }
      if (typeof r.sessionId === 'string' && typeof r.token === 'string')
        // The server rotates the token on every resume: keep the newest.
        this.credentials = { sessionId: r.sessionId, token: r.token };
      this.ready = true;
      this.recovery.up();
      resolve(r.code);
      this.sendSnapshot();
    };
    if (this.credentials)
      this.socket.emit(
        'session:resume',
        { protocol: PROTOCOL_VERSION, ...this.credentials },
        onResult,
      );
    else
      this.socket.emit(
        'session:start',
        { protocol: PROTOCOL_VERSION, url: 'https://shop.bench/checkout' },
        onResult,
      );
  }

  private sendSnapshot(): void {
    if (!this.ready) return;
    this.socket.emit('page:snapshot', snapshotOf(this.version, ++this.seq));
  }

  /** One update of the page; sent at once when the snippet would send it. */
  update(): void {
    this.version += 1;
    this.ledger.madeAt[this.version] = this.ctx.now();
    if (this.ctx.kind !== 'tandem') {
      // Bare Socket.IO: emit regardless; the library buffers while disconnected.
      this.socket.emit('page:batch', { seq: this.version, ops: [`ver:${this.version}`] });
      return;
    }
    // Like the snippet: nothing is sent (and no number used) while disconnected.
    if (!this.ready) return;
    this.socket.emit('page:batch', {
      seq: ++this.seq,
      sentAt: Date.now(),
      ops: [{ op: 'text', id: 5, text: `ver:${this.version}` }],
    });
  }

  close(): void {
    this.socket.disconnect();
  }
}

export class BenchAgent {
  /** The version the agent's page shows; -1 before the first snapshot. */
  version = -1;
  /** True once the agent gave up, as the console does when a rejoin is refused. */
  gaveUp = false;
  private last = 0;
  private awaiting = true;
  private requestedAt = Number.NEGATIVE_INFINITY;
  private joined = false;
  private readonly socket: Socket;
  private readonly recovery: Recovery;

  constructor(
    private readonly ctx: ClientContext,
    private readonly ledger: Ledger,
    node: string,
    code: string,
  ) {
    this.recovery = new Recovery(ctx, 'agent');
    const tandem = ctx.kind === 'tandem';
    this.socket = connect(ctx, '/agent', node, tandem ? { token: ctx.token } : { room: code });
    this.socket.on('disconnect', () => {
      this.awaiting = true;
      this.requestedAt = Number.NEGATIVE_INFINITY;
      this.recovery.down();
    });
    if (!tandem) {
      this.socket.on('page:batch', (batch: unknown) => this.receive(versionOf(batch)));
      return;
    }
    this.socket.on('connect', () => this.join(code));
    this.socket.on('page:snapshot', (snapshot: unknown) => {
      this.last = seqOf(snapshot);
      this.awaiting = false;
      this.version = versionOf(snapshot);
      this.cover(this.version);
      this.recovery.up();
    });
    this.socket.on('page:batch', (batch: unknown) => this.onBatch(batch));
  }

  /**
   * Tandem: the agent's page equals the customer's. Baseline: every version since `from`
   * arrived (it never repairs an earlier loss, so only this phase's updates are judged).
   */
  isSettled(customer: BenchCustomer, from = 1): boolean {
    if (this.ctx.kind === 'tandem') return !this.awaiting && this.version === customer.version;
    for (let v = from; v <= customer.version; v++)
      if (this.ledger.deliveredAt[v] === undefined) return false;
    return true;
  }

  get isReceiving(): boolean {
    return !this.recovery.isDown && (this.ctx.kind !== 'tandem' || this.joined);
  }

  private join(code: string): void {
    this.socket.emit('session:join', { protocol: PROTOCOL_VERSION, code }, (res: unknown) => {
      if ((res as { ok?: unknown }).ok === true) this.joined = true;
      // The console ends when a rejoin is refused (it takes the session for gone).
      else if (this.joined) {
        this.gaveUp = true;
        this.socket.disconnect();
      }
    });
  }

  private onBatch(batch: unknown): void {
    const seq = seqOf(batch);
    if (!this.awaiting && seq === this.last + 1) {
      this.last = seq;
      const v = versionOf(batch);
      if (v <= this.version) this.ledger.dupApplied++;
      else if (v !== this.version + 1) this.ledger.gapApplied++;
      this.version = v;
      this.cover(v, v);
      return;
    }
    // As the console's SequenceTracker: wait for a snapshot, ask at most once per 2 s.
    this.awaiting = true;
    const now = this.ctx.now();
    if (now - this.requestedAt < 2000) return;
    this.requestedAt = now;
    this.socket.emit('page:resync');
  }

  /** Marks versions `from..to` as reached (a snapshot reaches all up to the one it shows). */
  private cover(to: number, from = 0): void {
    const now = this.ctx.now();
    this.ledger.lastActivity = now;
    for (let v = from; v <= to; v++) this.ledger.deliveredAt[v] ??= now;
  }

  private receive(v: number): void {
    if (!Number.isFinite(v)) return;
    this.recovery.up();
    if (this.ledger.deliveredAt[v] !== undefined) this.ledger.dupApplied++;
    else this.cover(v, v);
  }

  close(): void {
    this.socket.disconnect();
  }
}

export function newLedger(now: number): Ledger {
  return { madeAt: [], deliveredAt: [], dupApplied: 0, gapApplied: 0, lastActivity: now };
}
