/**
 * The customer's page, rebuilt inside the console's sandboxed frame and kept up to date by
 * applying operations. Frames load `/agent/frame.html` asynchronously, so a nested frame's tree
 * that arrives before the frame is ready is built in a scratch document and moved in when the
 * frame loads; node identities (and the id map) survive the move. A scratch document is made by
 * the document that holds the frame, never by the console's own: documents inherit their
 * maker's CSP, and the console's forbids the page's inline styles. So nothing is built until the
 * top frame has loaded: a snapshot (and what follows it) waits for that.
 */
import type {
  DocumentNode,
  MutationOp,
  NodeId,
  PageSnapshot,
  Viewport,
} from '../../src/protocol/index.ts';
import {
  buildNode,
  HTML_NS,
  removeAttribute,
  setAttribute,
  setCanvasImage,
  setFormState,
  type BuildContext,
} from './build-node.ts';
import { rewriteSheetSelectors } from './linked-sheets.ts';
import { rewriteStateSelectors } from './mirror-css.ts';
import { MirrorState } from './mirror-state.ts';

export interface MirrorOptions {
  /** The empty page every rebuilt frame loads. */
  frameSrc: string;
  /** The customer's viewport changed size. */
  onViewport?: (viewport: Viewport) => void;
}

interface FrameSlot {
  frame: HTMLIFrameElement;
  docId: NodeId | undefined;
  /** The rebuilt `<html>`, in the frame's document once it has loaded, else in a scratch one. */
  root: Element | null;
}

/** Late layout (stylesheets, images, fonts) can undo a scroll; it is re-applied this often. */
const SCROLL_RETRY_MS = [50, 250, 1000, 2500];

export class PageMirror {
  private readonly nodes = new Map<NodeId, Node>();
  private readonly idsByNode = new WeakMap<Node, NodeId>();
  private readonly slots = new Map<HTMLIFrameElement, FrameSlot>();
  private readonly scrolls = new Map<NodeId, { x: number; y: number }>();
  private readonly watchedDocs = new WeakSet<Document>();
  private readonly ctx: BuildContext;
  /** A snapshot and the operations after it, held until the top frame has loaded. */
  private waiting: { snapshot: PageSnapshot; ops: MutationOp[] } | null = null;
  /** Adopted sheets, focus, hover, selection and the top layer, kept by node id. */
  private readonly state = new MirrorState({
    node: (id) => this.nodes.get(id),
    idOf: (node) => this.idOf(node),
  });

  constructor(
    private readonly top: HTMLIFrameElement,
    private readonly options: MirrorOptions,
  ) {
    this.ctx = {
      register: (id, node) => {
        this.nodes.set(id, node);
        this.idsByNode.set(node, id);
      },
      onFrame: (frame, doc) => {
        frame.setAttribute('sandbox', 'allow-same-origin');
        frame.setAttribute('src', this.options.frameSrc);
        this.loadFrame(frame, doc ?? null);
      },
      setScroll: (id, x, y) => this.scrolls.set(id, { x, y }),
    };
    top.addEventListener('load', () => this.applyWaiting());
  }

  /** How many nodes are mirrored (for tests and diagnostics). */
  get nodeCount(): number {
    return this.nodes.size;
  }

  /** The id a mirrored node stands for, if it is one (control actions name nodes by id). */
  idOf(node: Node): NodeId | undefined {
    const id = this.idsByNode.get(node);
    return id !== undefined && this.nodes.get(id) === node ? id : undefined;
  }

  /** The node mirrored under `id`, if any. */
  node(id: NodeId): Node | undefined {
    return this.nodes.get(id);
  }

  applySnapshot(snapshot: PageSnapshot): void {
    if (!liveDocument(this.top)) {
      this.waiting = { snapshot, ops: [] };
      return;
    }
    this.waiting = null;
    for (const [frame] of this.slots) if (frame !== this.top) this.slots.delete(frame);
    this.nodes.clear();
    this.scrolls.clear();
    this.state.reset();
    this.loadFrame(this.top, snapshot.doc);
    this.options.onViewport?.(snapshot.viewport);
    this.applyScrollsSoon();
  }

  applyOps(ops: MutationOp[]): void {
    if (this.waiting) {
      this.waiting.ops.push(...ops);
      return;
    }
    for (const op of ops) {
      try {
        this.applyOp(op);
      } catch (error) {
        // One bad operation must not stop the rest; the next snapshot repairs any drift.
        // eslint-disable-next-line no-console -- diagnostics for whoever supports the console
        console.warn('[tandem] could not apply', op.op, error);
      }
    }
    this.state.refresh();
    this.applyScrolls();
  }

  /** The top frame loaded: what waited for it is built now. */
  private applyWaiting(): void {
    const waiting = this.waiting;
    if (!waiting || !liveDocument(this.top)) return;
    this.applySnapshot(waiting.snapshot);
    this.applyOps(waiting.ops);
  }

  private applyOp(op: MutationOp): void {
    if (this.state.apply(op)) return;
    switch (op.op) {
      case 'add':
        return this.add(op);
      case 'remove': {
        const node = this.nodes.get(op.id);
        if (!node || node.nodeType === Node.DOCUMENT_NODE) return;
        this.forget(node);
        node.parentNode?.removeChild(node);
        return;
      }
      case 'attr': {
        const el = this.element(op.id);
        if (!el) return;
        if (op.value === null) removeAttribute(el, op.name);
        else setAttribute(el, op.name, op.value);
        return;
      }
      case 'text': {
        const node = this.nodes.get(op.id);
        if (node?.nodeType === Node.TEXT_NODE) (node as Text).data = op.text;
        return;
      }
      case 'input': {
        const node = this.nodes.get(op.id);
        if (node) setFormState(node, op);
        return;
      }
      case 'scroll':
        this.scrolls.set(op.id, { x: op.x, y: op.y });
        return;
      case 'frame': {
        const el = this.element(op.id);
        if (el?.localName === 'iframe') this.loadFrame(el as HTMLIFrameElement, op.doc);
        return;
      }
      case 'css': {
        const el = this.element(op.id);
        if (el?.localName === 'style') el.textContent = rewriteStateSelectors(op.css);
        return;
      }
      case 'canvas': {
        const el = this.element(op.id);
        if (el) setCanvasImage(el, op.data);
        return;
      }
      case 'viewport':
        this.options.onViewport?.({ width: op.width, height: op.height });
        return;
    }
  }

  private element(id: NodeId): Element | undefined {
    const node = this.nodes.get(id);
    return node?.nodeType === Node.ELEMENT_NODE ? (node as Element) : undefined;
  }

  private add(op: Extract<MutationOp, { op: 'add' }>): void {
    const parent = this.nodes.get(op.parent);
    if (!parent) return;
    // The same id again means the node moved or was re-sent: the new copy replaces the old.
    const existing = this.nodes.get(op.node.id);
    if (existing && existing.nodeType !== Node.DOCUMENT_NODE) {
      this.forget(existing);
      existing.parentNode?.removeChild(existing);
    }
    let container: Node = parent;
    if (op.shadow) {
      const host = parent as Element;
      container = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    }
    if (container.nodeType === Node.DOCUMENT_NODE) {
      const doc = container as Document;
      const built = buildNode(doc, op.node, this.ctx);
      if (built?.nodeType !== Node.ELEMENT_NODE) return;
      const slot = [...this.slots.values()].find((s) => s.docId === op.parent);
      if (slot) slot.root = built as Element;
      if (doc.documentElement) doc.replaceChild(built, doc.documentElement);
      else doc.appendChild(built);
      return;
    }
    const doc = container.ownerDocument;
    if (!doc) return;
    const built = buildNode(doc, op.node, this.ctx);
    if (!built) return;
    const before = op.before === null ? null : this.nodes.get(op.before);
    if (before && before.parentNode === container) container.insertBefore(built, before);
    else container.appendChild(built);
  }

  /** Builds (or clears, for null) the document shown in `frame`. */
  private loadFrame(frame: HTMLIFrameElement, docNode: DocumentNode | null): void {
    let slot = this.slots.get(frame);
    if (!slot) {
      const created: FrameSlot = { frame, docId: undefined, root: null };
      slot = created;
      this.slots.set(frame, created);
      frame.addEventListener('load', () => this.attach(created));
    }
    if (slot.root) this.forget(slot.root);
    if (slot.docId !== undefined) this.nodes.delete(slot.docId);
    const live = liveDocument(frame);
    // Made by the frame's own document (under the frame's CSP), not by the console's.
    const doc = live ?? frame.ownerDocument.implementation.createHTMLDocument('');
    const rootNode = docNode?.children.find((child) => child.type === 'element');
    const built = rootNode ? buildNode(doc, rootNode, this.ctx) : null;
    slot.root =
      built?.nodeType === Node.ELEMENT_NODE
        ? (built as Element)
        : doc.createElementNS(HTML_NS, 'html');
    slot.docId = docNode?.id;
    if (docNode) {
      this.ctx.register(docNode.id, doc);
      if (docNode.scroll) this.scrolls.set(docNode.id, docNode.scroll);
    }
    if (live) this.install(live, slot);
  }

  /** The frame loaded `frameSrc`: move its tree in. */
  private attach(slot: FrameSlot): void {
    const doc = liveDocument(slot.frame);
    if (!doc || !this.slots.has(slot.frame)) return;
    this.install(doc, slot);
    this.applyScrollsSoon();
  }

  private install(doc: Document, slot: FrameSlot): void {
    const root = slot.root;
    if (!root) return;
    if (root.ownerDocument !== doc) doc.adoptNode(root);
    if (doc.documentElement !== root) {
      if (doc.documentElement) doc.replaceChild(root, doc.documentElement);
      else doc.appendChild(root);
    }
    if (slot.docId !== undefined) this.ctx.register(slot.docId, doc);
    if (!this.watchedDocs.has(doc)) {
      this.watchedDocs.add(doc);
      // Stylesheets and images change the layout after the fact; scroll positions follow. A
      // linked sheet's rules are the console's to rewrite only once loaded (mirror-css.ts).
      doc.addEventListener('load', (event) => this.loaded(event.target), true);
    }
    this.state.applyBase(doc);
    this.state.refresh();
  }

  private loaded(target: EventTarget | null): void {
    const link = target as HTMLLinkElement | null;
    if (link?.localName === 'link' && link.sheet) rewriteSheetSelectors(link.sheet);
    this.applyScrolls();
  }

  /** Drops a removed subtree (frames and shadow roots included) from the id map. */
  private forget(node: Node): void {
    const id = this.idsByNode.get(node);
    if (id !== undefined && this.nodes.get(id) === node) {
      this.nodes.delete(id);
      this.scrolls.delete(id);
    }
    for (let child = node.firstChild; child; child = child.nextSibling) this.forget(child);
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const shadow = (node as Element).shadowRoot;
    if (shadow) for (let c = shadow.firstChild; c; c = c.nextSibling) this.forget(c);
    const slot = this.slots.get(node as HTMLIFrameElement);
    if (slot) {
      this.slots.delete(slot.frame);
      if (slot.root) this.forget(slot.root);
      if (slot.docId !== undefined) this.nodes.delete(slot.docId);
    }
  }

  applyScrolls(): void {
    for (const [id, { x, y }] of this.scrolls) {
      const node = this.nodes.get(id);
      if (!node) continue;
      const el =
        node.nodeType === Node.DOCUMENT_NODE
          ? (node as Document).scrollingElement
          : (node as Element);
      if (!el) continue;
      el.scrollLeft = x;
      el.scrollTop = y;
    }
  }

  private applyScrollsSoon(): void {
    this.applyScrolls();
    for (const ms of SCROLL_RETRY_MS) setTimeout(() => this.applyScrolls(), ms);
  }
}

/** The frame's document once it has loaded `frameSrc`; null while it is still `about:blank`. */
function liveDocument(frame: HTMLIFrameElement): Document | null {
  try {
    const doc = frame.contentDocument;
    if (!doc || doc.URL === 'about:blank' || doc.readyState === 'loading') return null;
    return doc;
  } catch {
    return null;
  }
}
