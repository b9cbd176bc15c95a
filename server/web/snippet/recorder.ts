/**
 * Records a page: a full snapshot on demand, and batches of operations for what changes after it.
 * Knows nothing of sockets or sequence numbers; the caller numbers and sends what it emits.
 */
import type {
  NodeId,
  MutationOp,
  PageSnapshot,
  PointerPosition,
  Viewport,
} from '../../src/protocol/index.ts';
import { LIMITS } from '../../src/protocol/index.ts';
import { PendingChanges } from './changes.ts';
import { guard } from './guard.ts';
import { NodeIds } from './node-ids.ts';
import { observeRoot } from './observe-root.ts';
import { serializeDocument, type SerializeContext } from './serialize.ts';

export interface RecorderOptions {
  doc: Document;
  /** Nodes that belong to Tandem itself; never sent. */
  isIgnored(node: Node): boolean;
  onBatch(ops: MutationOp[]): void;
  onPointer(pointer: PointerPosition): void;
  /** How long changes are gathered into one batch. Default 40 ms. */
  flushDelayMs?: number;
  /** Least time between two pointer messages. Default 33 ms (about 30 per second). */
  pointerIntervalMs?: number;
}

export interface Recorder {
  /** A full snapshot of the page now; pending changes are dropped because it contains them. */
  snapshot(): Omit<PageSnapshot, 'seq'>;
  /** Emits the pending changes at once. */
  flush(): void;
  /** The id a node was sent under, if it was (control actions name their targets by id). */
  peekId(node: Node): NodeId | undefined;
  stop(): void;
}

type Root = Document | ShadowRoot;

export function startRecorder(options: RecorderOptions): Recorder {
  const { doc } = options;
  const win = doc.defaultView ?? window;
  const flushDelay = options.flushDelayMs ?? 40;
  const pointerInterval = options.pointerIntervalMs ?? 33;
  const observed = new Map<Root, () => void>();
  const frameDocs = new Map<HTMLIFrameElement, Document>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let pointerTimer: ReturnType<typeof setTimeout> | undefined;
  let lastPointerAt = 0;
  let pendingPointer: PointerPosition | undefined;
  let stopped = false;

  const viewport = (): Viewport => ({
    width: Math.max(0, Math.round(win.innerWidth)),
    height: Math.max(0, Math.round(win.innerHeight)),
  });

  const ctx: SerializeContext = {
    ids: new NodeIds(),
    isIgnored: options.isIgnored,
    onShadowRoot: (root) => observe(root),
    onFrame: (frame, frameDoc) => {
      const previous = frameDocs.get(frame);
      if (previous && previous !== frameDoc) unobserveDocument(previous);
      if (frameDoc) {
        frameDocs.set(frame, frameDoc);
        observe(frameDoc);
      } else {
        frameDocs.delete(frame);
      }
    },
  };
  const changes = new PendingChanges(ctx, viewport);

  function schedule(): void {
    if (stopped || flushTimer !== undefined) return;
    flushTimer = setTimeout(guard(flush), flushDelay);
  }

  function flush(): void {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (stopped || changes.isEmpty) return;
    const ops = changes.takeOps();
    for (let i = 0; i < ops.length; i += LIMITS.maxOpsPerBatch) {
      options.onBatch(ops.slice(i, i + LIMITS.maxOpsPerBatch));
    }
  }

  function sendPointer(): void {
    pointerTimer = undefined;
    if (stopped || !pendingPointer) return;
    lastPointerAt = Date.now();
    options.onPointer(pendingPointer);
    pendingPointer = undefined;
  }

  /** Converts a frame's client coordinates to the top window's viewport. */
  function toTopViewport(frameDoc: Document, x: number, y: number): PointerPosition {
    let current: Window | null = frameDoc.defaultView;
    while (current && current !== win) {
      const host = current.frameElement;
      if (!host) break;
      const rect = host.getBoundingClientRect();
      x += rect.left + host.clientLeft;
      y += rect.top + host.clientTop;
      current = current.parent;
    }
    return { x: Math.round(x), y: Math.round(y) };
  }

  function observe(root: Root): void {
    if (stopped || observed.has(root)) return;
    const teardown = observeRoot(root, {
      mutations: (records) => {
        changes.recordMutations(records);
        schedule();
      },
      input: (target) => {
        changes.markInput(target);
        schedule();
      },
      scroll: (target) => {
        changes.markScroll(target);
        schedule();
      },
      frameLoad: (frame) => {
        changes.markFrame(frame);
        schedule();
      },
      pointer: (pointerDoc, x, y) => {
        pendingPointer = toTopViewport(pointerDoc, x, y);
        if (pointerTimer !== undefined) return;
        const wait = Math.max(0, lastPointerAt + pointerInterval - Date.now());
        pointerTimer = setTimeout(guard(sendPointer), wait);
      },
    });
    observed.set(root, teardown);
  }

  /** Stops watching a frame's old document and the shadow roots inside it. */
  function unobserveDocument(old: Document): void {
    for (const [root, teardown] of observed) {
      if (root === old || root.ownerDocument === old) {
        teardown();
        observed.delete(root);
      }
    }
  }

  const onResize = guard(() => {
    changes.markViewport();
    schedule();
  });
  win.addEventListener('resize', onResize, { passive: true });
  observe(doc);

  return {
    snapshot() {
      changes.clear();
      return {
        url: doc.location.href.slice(0, LIMITS.maxUrlLength),
        title: doc.title.slice(0, 1024),
        viewport: viewport(),
        doc: serializeDocument(doc, ctx),
      };
    },
    flush,
    peekId: (node) => ctx.ids.peek(node),
    stop() {
      stopped = true;
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      if (pointerTimer !== undefined) clearTimeout(pointerTimer);
      win.removeEventListener('resize', onResize);
      for (const teardown of observed.values()) teardown();
      observed.clear();
      frameDocs.clear();
    },
  };
}
