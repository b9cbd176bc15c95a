/**
 * The customer's page state that the DOM does not hold, applied to the mirror: adopted style
 * sheets (built with the mirrored frame's own CSSStyleSheet, since a sheet belongs to one
 * document), focus and hover as marker attributes the rewritten rules select (mirror-css.ts),
 * the text selection, and the top layer (a modal dialog, an open popover), which the console
 * opens with the element's own DOM methods: no script of the page runs, none is needed.
 *
 * Everything is kept by node id and applied again after every batch and every frame load, so a
 * node that is re-sent or moved into its loaded frame gets its state back.
 */
import type { MutationOp, NodeId, SelectionRange, TopLayer } from '../../src/protocol/index.ts';
import { BASE_STATE_CSS, rewriteStateSelectors, STATE_MARKERS } from './mirror-css.ts';

type StateOp = Extract<MutationOp, { op: 'sheets' | 'focus' | 'hover' | 'selection' | 'layer' }>;

export interface StateNodes {
  node(id: NodeId): Node | undefined;
  idOf(node: Node): NodeId | undefined;
}

const MARKERS = Object.values(STATE_MARKERS);

/** Whether an attribute is one of the mirror's own state markers (never the page's). */
export function isStateMarker(name: string): boolean {
  return (MARKERS as readonly string[]).includes(name);
}

export class MirrorState {
  private readonly sheets = new Map<NodeId, string[]>();
  private focus: { id: NodeId | null; visible: boolean } = { id: null, visible: false };
  private hover: NodeId | null = null;
  private readonly selections = new Map<NodeId, SelectionRange[]>();
  private readonly layers = new Map<NodeId, TopLayer>();
  /** Elements that carry a marker now, to clear them when the state moves. */
  private marked: Element[] = [];
  /** Constructed sheets by CSS text, per document: one for all the roots that share it. */
  private readonly built = new WeakMap<Document, Map<string, CSSStyleSheet>>();

  constructor(private readonly nodes: StateNodes) {}

  /** Whether this is an operation for the state kept here; applies it if so. */
  apply(op: MutationOp): op is StateOp {
    switch (op.op) {
      case 'sheets':
        this.sheets.set(op.id, op.sheets);
        return true;
      case 'focus':
        this.focus = { id: op.id, visible: op.visible };
        return true;
      case 'hover':
        this.hover = op.id;
        return true;
      case 'selection':
        this.selections.set(op.id, op.ranges);
        return true;
      case 'layer':
        if (op.layer === null) this.closeLayer(op.id);
        else this.layers.set(op.id, op.layer);
        return true;
      default:
        return false;
    }
  }

  /** A new snapshot: the state of the old page is gone. */
  reset(): void {
    this.sheets.clear();
    this.selections.clear();
    this.layers.clear();
    this.focus = { id: null, visible: false };
    this.hover = null;
    this.clearMarkers();
  }

  /** Applies everything kept to the nodes as they are now. */
  refresh(): void {
    for (const [id, list] of this.sheets) this.applySheets(id, list);
    this.clearMarkers();
    this.markFocus();
    if (this.hover !== null) {
      const el = this.element(this.hover);
      if (el) this.markUp(el, STATE_MARKERS.hover);
    }
    for (const [id, layer] of this.layers) this.openLayer(id, layer);
    for (const [id, ranges] of this.selections) this.select(id, ranges);
  }

  /** The base rules (the browser's own focus ring, for the markers) for a root without sheets. */
  applyBase(root: Document | ShadowRoot): void {
    const doc = root.nodeType === Node.DOCUMENT_NODE ? (root as Document) : root.ownerDocument;
    const base = doc ? this.sheet(doc, BASE_STATE_CSS, false) : null;
    if (base && !root.adoptedStyleSheets.includes(base)) {
      root.adoptedStyleSheets = [base, ...root.adoptedStyleSheets];
    }
  }

  private element(id: NodeId): Element | undefined {
    const node = this.nodes.node(id);
    return node?.nodeType === Node.ELEMENT_NODE && node.isConnected ? (node as Element) : undefined;
  }

  private applySheets(id: NodeId, list: string[]): void {
    const node = this.nodes.node(id);
    if (!node) return;
    const root =
      node.nodeType === Node.DOCUMENT_NODE ? (node as Document) : (node as Element).shadowRoot;
    const doc = root?.nodeType === Node.DOCUMENT_NODE ? (root as Document) : root?.ownerDocument;
    if (!root || !doc?.defaultView) return; // Not in its frame yet: applied once it is.
    const sheets = [BASE_STATE_CSS, ...list].map((css, i) => this.sheet(doc, css, i > 0));
    const wanted = sheets.filter((sheet): sheet is CSSStyleSheet => sheet !== null);
    const now = root.adoptedStyleSheets;
    if (now.length !== wanted.length || now.some((sheet, i) => sheet !== wanted[i])) {
      root.adoptedStyleSheets = wanted;
    }
  }

  /** A constructed sheet of `doc`'s own realm holding `css`, or null where none can be made. */
  private sheet(doc: Document, css: string, rewrite: boolean): CSSStyleSheet | null {
    const win = doc.defaultView as (Window & typeof globalThis) | null;
    if (!win?.CSSStyleSheet) return null;
    let cache = this.built.get(doc);
    if (!cache) {
      cache = new Map();
      this.built.set(doc, cache);
    }
    const text = rewrite ? rewriteStateSelectors(css) : css;
    let sheet = cache.get(text);
    if (!sheet) {
      sheet = new win.CSSStyleSheet();
      try {
        sheet.replaceSync(text);
      } catch {
        // CSS the browser refuses as a whole: an empty sheet keeps the list's order.
      }
      if (cache.size > 512) cache.clear();
      cache.set(text, sheet);
    }
    return sheet;
  }

  private clearMarkers(): void {
    for (const el of this.marked) for (const name of MARKERS) el.removeAttribute(name);
    this.marked = [];
  }

  private mark(el: Element, name: string): void {
    el.setAttribute(name, '');
    this.marked.push(el);
  }

  /** The element and its ancestors in the flat tree, across shadow roots and mirrored frames. */
  private *flatAncestors(el: Element): Generator<Element> {
    for (let node: Node | null = el, i = 0; node && i < 4096; i++) {
      if (node.nodeType === Node.ELEMENT_NODE) yield node as Element;
      const slot: Node | null = (node as Element).assignedSlot ?? null;
      let parent: Node | null = slot ?? node.parentNode;
      if (parent?.nodeType === Node.DOCUMENT_FRAGMENT_NODE) parent = (parent as ShadowRoot).host;
      if (parent?.nodeType === Node.DOCUMENT_NODE) {
        const frame: Element | null = (parent as Document).defaultView?.frameElement ?? null;
        // The top mirrored document's frame is the console's own: the walk ends there.
        parent = frame && this.nodes.idOf(frame) !== undefined ? frame : null;
      }
      node = parent;
    }
  }

  private markUp(el: Element, name: string): void {
    for (const ancestor of this.flatAncestors(el)) this.mark(ancestor, name);
  }

  private markFocus(): void {
    const { id, visible } = this.focus;
    const el = id === null ? undefined : this.element(id);
    if (!el) return;
    this.mark(el, STATE_MARKERS.focus);
    if (visible) this.mark(el, STATE_MARKERS['focus-visible']);
    this.markUp(el, STATE_MARKERS['focus-within']);
    // A shadow host matches :focus while something inside its shadow tree has focus; and the
    // browser's focus ring is drawn in whichever root the element is in.
    let root = el.getRootNode();
    for (let i = 0; isShadowRoot(root) && i < 64; i++) {
      this.applyBase(root);
      this.mark(root.host, STATE_MARKERS.focus);
      root = root.host.getRootNode();
    }
    if (root.nodeType === Node.DOCUMENT_NODE) this.applyBase(root as Document);
  }

  private openLayer(id: NodeId, layer: TopLayer): void {
    const el = this.element(id) as (HTMLElement & Partial<HTMLDialogElement>) | undefined;
    if (!el) return;
    try {
      if (layer === 'modal' && el.localName === 'dialog' && !el.matches(':modal')) {
        // showModal refuses a dialog already open without being modal (the mirrored attribute).
        el.removeAttribute('open');
        el.showModal?.();
      } else if (layer === 'popover' && !el.matches(':popover-open')) {
        el.showPopover();
      }
    } catch {
      // Not connected, or not a popover any more: shown as the attributes say.
    }
  }

  private closeLayer(id: NodeId): void {
    const layer = this.layers.get(id);
    this.layers.delete(id);
    const el = this.element(id) as (HTMLElement & Partial<HTMLDialogElement>) | undefined;
    if (!el || layer === undefined) return;
    try {
      if (layer === 'modal' && el.matches(':modal')) {
        const open = el.hasAttribute('open');
        el.close?.();
        if (open && el.getAttribute('open') === null) el.setAttribute('open', '');
      } else if (layer === 'popover' && el.matches(':popover-open')) el.hidePopover();
    } catch {
      // Already closed.
    }
  }

  private select(docId: NodeId, ranges: SelectionRange[]): void {
    const doc = this.nodes.node(docId);
    if (doc?.nodeType !== Node.DOCUMENT_NODE) return;
    const selection = (doc as Document).getSelection();
    if (!selection) return;
    const first = ranges[0];
    if (!first) {
      if (selection.rangeCount > 0) selection.removeAllRanges();
      return;
    }
    const start = this.nodes.node(first.start);
    const end = this.nodes.node(first.end);
    if (!start || !end || !start.isConnected || !end.isConnected) return;
    try {
      if (start === end && isTextField(start)) {
        start.setSelectionRange(first.startOffset, first.endOffset);
        return;
      }
      selection.setBaseAndExtent(
        start,
        Math.min(first.startOffset, nodeLength(start)),
        end,
        Math.min(first.endOffset, nodeLength(end)),
      );
    } catch {
      // Offsets that no longer fit the mirrored nodes: the next selection change repairs it.
    }
  }
}

function isShadowRoot(node: Node): node is ShadowRoot {
  return node.nodeType === Node.DOCUMENT_FRAGMENT_NODE && 'host' in node;
}

function isTextField(node: Node): node is HTMLInputElement | HTMLTextAreaElement {
  const name = (node as Element).localName;
  return name === 'input' || name === 'textarea';
}

function nodeLength(node: Node): number {
  return node.nodeType === Node.TEXT_NODE ? (node as Text).length : node.childNodes.length;
}
