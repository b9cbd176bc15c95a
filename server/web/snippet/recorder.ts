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
import { watchFieldSetters } from './field-setters.ts';
import { guard, report } from './guard.ts';
import { watchMediaFrames } from './media-frames.ts';
import { NodeIds } from './node-ids.ts';
import { observeRoot } from './observe-root.ts';
import { PendingState } from './page-state.ts';
import { AdoptedLists, FontSources, watchCssom } from './sheets.ts';
import { messageChannelYield } from './tasks.ts';
import type { SerializeContext } from './serialize.ts';
import { TreeWalk } from './tree-walk.ts';

export interface RecorderOptions {
  doc: Document;
  /** Nodes that belong to Tandem itself; never sent. */
  isIgnored(node: Node): boolean;
  /** A batch of changes, with the pointer's position when it moved since the last one sent. */
  onBatch(ops: MutationOp[], pointer?: PointerPosition): void;
  onPointer(pointer: PointerPosition): void;
  /** How long changes are gathered into one batch. Default 40 ms. */
  flushDelayMs?: number;
  /**
   * Least time between two pointer reports. Default 50 ms (20 a second; the console glides
   * between them). A batch sent meanwhile carries the latest position instead.
   */
  pointerIntervalMs?: number;
  /** Longest stretch of snapshot work in one task before yielding to the page. Default 8 ms. */
  sliceMs?: number;
  /** Least time between two images of one canvas or video. Default 250 ms. */
  mediaIntervalMs?: number;
  /** How often adopted style sheet lists are compared with what was sent. Default 500 ms. */
  sheetCheckMs?: number;
  /** The clock slices are measured with. Default `performance.now`. */
  now?: () => number;
  /** Runs `task` soon, in a new task. Default: a MessageChannel message (not clamped like timers). */
  yieldTask?: (task: () => void) => void;
}

export interface Recorder {
  /**
   * Takes a full snapshot in time slices and hands it to `emit` when complete; changes made
   * meanwhile follow as a batch right after it (after the promise `emit` returns, if it does:
   * the snapshot is being sent). A new call (or `stop`) abandons one in progress.
   */
  snapshot(emit: (snapshot: Omit<PageSnapshot, 'seq'>) => void | Promise<void>): void;
  /** Emits the pending changes at once (held back while a snapshot is being taken). */
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
  const pointerInterval = options.pointerIntervalMs ?? 50;
  const sliceMs = options.sliceMs ?? 8;
  const now = options.now ?? (() => performance.now());
  const yieldTask = options.yieldTask ?? messageChannelYield(win);
  /** The snapshot being taken, if any: batches wait for it, removals are passed to it. */
  let walk: TreeWalk | undefined;
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

  const fonts = new FontSources();
  const adopted = new AdoptedLists();
  const ctx: SerializeContext = {
    ids: new NodeIds(),
    isIgnored: options.isIgnored,
    onShadowRoot: (root) => {
      observe(root);
      noteSheets(root);
    },
    onFrame: (frame, frameDoc) => {
      const previous = frameDocs.get(frame);
      if (previous && previous !== frameDoc) unobserveDocument(previous);
      if (frameDoc) {
        frameDocs.set(frame, frameDoc);
        observe(frameDoc);
        noteSheets(frameDoc);
      } else {
        frameDocs.delete(frame);
      }
    },
  };
  const changes = new PendingChanges(ctx, viewport, fonts);
  const state = new PendingState(ctx, doc);
  const media = watchMediaFrames({
    win,
    ...(options.mediaIntervalMs !== undefined && { intervalMs: options.mediaIntervalMs }),
    onChanged: (elements) => {
      for (const el of elements) changes.markImage(el);
      schedule();
    },
  });

  /** Marks a root whose adopted list differs from what the agent has. */
  function noteSheets(root: Root): void {
    if (adopted.changed(root)) {
      changes.markSheets(root);
      schedule();
    }
  }

  /** A sheet's rules changed: its `<style>`, or every root that adopts it, is sent again. */
  function sheetChanged(sheet: CSSStyleSheet): void {
    const owner = sheet.ownerNode;
    if (owner) {
      if ((owner as Element).localName === 'style') {
        changes.markStyle(owner as HTMLStyleElement);
        schedule();
      }
      return; // A <link>'s rules come from its file, which the agent loads itself.
    }
    for (const root of observed.keys()) {
      if (adopted.adopts(root, sheet)) changes.markSheets(root);
    }
    schedule();
  }

  const unwatchCssom = watchCssom(win, sheetChanged);
  const unwatchFields = watchFieldSetters(win, (field) => {
    changes.markInput(field);
    schedule();
  });
  fonts.watch(win, (fontDoc) => {
    changes.markSheets(fontDoc);
    schedule();
  });
  const sheetCheck = setInterval(
    guard(() => {
      for (const root of observed.keys()) noteSheets(root);
    }),
    options.sheetCheckMs ?? 500,
  );

  /** After a snapshot the agent knows nothing beyond its tree: state and sheets are sent again. */
  function markAfterSnapshot(): void {
    state.markAll(observed.keys());
    changes.resetSentImages();
    for (const root of observed.keys()) {
      adopted.forget(root);
      if (adopted.changed(root)) changes.markSheets(root);
      else if (root.nodeType === Node.DOCUMENT_NODE && fonts.css(root as Document) !== '') {
        changes.markSheets(root);
      }
      root.querySelectorAll('video').forEach((video) => media.noteVideo(video));
    }
  }

  function schedule(): void {
    if (stopped || walk !== undefined || flushTimer !== undefined) return;
    flushTimer = setTimeout(guard(flush), flushDelay);
  }

  function flush(): void {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    // Not before the snapshot: the agent would apply it to the old tree, then lose it.
    if (stopped || walk !== undefined || (changes.isEmpty && state.isEmpty)) return;
    // State last: it names nodes the changes may have just added.
    const ops = [...changes.takeOps(), ...state.takeOps()];
    for (let i = 0; i < ops.length; i += LIMITS.maxOpsPerBatch) {
      const last = i + LIMITS.maxOpsPerBatch >= ops.length;
      options.onBatch(ops.slice(i, i + LIMITS.maxOpsPerBatch), last ? takePointer() : undefined);
    }
  }

  /** The pointer's position waiting to be reported, which the caller now sends; resets the wait. */
  function takePointer(): PointerPosition | undefined {
    const pointer = pendingPointer;
    if (!pointer) return undefined;
    pendingPointer = undefined;
    if (pointerTimer !== undefined) clearTimeout(pointerTimer);
    pointerTimer = undefined;
    lastPointerAt = Date.now();
    return pointer;
  }

  function sendPointer(): void {
    pointerTimer = undefined;
    if (stopped) return;
    const pointer = takePointer();
    if (pointer) options.onPointer(pointer);
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
        walk?.noteRecords(records);
        changes.recordMutations(records);
        for (const record of records) {
          // showModal() and close() say so only through the `open` attribute.
          const name = record.attributeName;
          if (name === 'open' || name === 'popover') state.markLayer(record.target as Element);
        }
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
      focus: () => {
        state.markFocus();
        schedule();
      },
      hover: (target) => {
        state.markHover(target);
        schedule();
      },
      selection: (selectionDoc) => {
        state.markSelection(selectionDoc);
        schedule();
      },
      toggle: (target) => {
        state.markLayer(target);
        state.markFocus(); // A modal dialog moves focus into itself.
        schedule();
      },
      media: (video) => media.noteVideo(video),
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
    snapshot(emit) {
      // Pending changes are in the page the snapshot reads; what changes from now on follows it.
      changes.clear();
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      const current = new TreeWalk(ctx);
      walk = current;
      const url = doc.location.href.slice(0, LIMITS.maxUrlLength);
      const title = doc.title.slice(0, 1024);
      const view = viewport();
      const tree = current.startDocument(doc, false);
      const slice = guard((): void => {
        if (stopped || walk !== current) return; // Abandoned for a newer snapshot, or stopped.
        if (!current.run(now, now() + sliceMs)) {
          yieldTask(slice);
          return;
        }
        markAfterSnapshot();
        const release = (): void => {
          if (walk !== current) return; // Stopped, or a newer snapshot holds the changes now.
          walk = undefined;
          flush();
        };
        const sending = emit({ url, title, viewport: view, doc: tree });
        if (sending)
          sending.then(guard(release), (error: unknown) => {
            report(error);
            release();
          });
        else release();
      });
      slice();
    },
    flush,
    peekId: (node) => ctx.ids.peek(node),
    stop() {
      stopped = true;
      walk = undefined;
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      if (pointerTimer !== undefined) clearTimeout(pointerTimer);
      win.removeEventListener('resize', onResize);
      clearInterval(sheetCheck);
      unwatchCssom();
      unwatchFields();
      fonts.stop();
      media.stop();
      for (const teardown of observed.values()) teardown();
      observed.clear();
      frameDocs.clear();
    },
  };
}
