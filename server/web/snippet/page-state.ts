/**
 * State the DOM does not hold but the agent should see: which element has focus (and whether it
 * shows a focus ring), which one is under the customer's pointer, what text is selected, and
 * which dialogs and popovers are in the top layer. Changes are noted as they happen and turned
 * into operations when the batch is built, read then, like every other value.
 *
 * Masking: focus and hover name an element, never its content; a selection that starts or ends
 * in masked text or in a masked field is not sent at all (its offsets would tell what is there).
 */
import type { MutationOp, NodeId, SelectionRange, TopLayer } from '../../src/protocol/index.ts';
import { isHiddenElement, isInsideHidden, isMaskedContext } from './masking.ts';
import type { SerializeContext } from './serialize.ts';

function isElement(node: Node | null | undefined): node is Element {
  return !!node && node.nodeType === Node.ELEMENT_NODE;
}

/** The focused element, innermost across shadow roots and same-origin frames, or null. */
export function deepActiveElement(doc: Document): Element | null {
  let el: Element | null = doc.activeElement;
  for (let i = 0; el && i < 64; i++) {
    const inner: Element | null | undefined =
      el.shadowRoot?.activeElement ??
      (el.localName === 'iframe' ? frameActive(el as HTMLIFrameElement) : undefined);
    if (!inner) break;
    el = inner;
  }
  if (!el || el === doc.body || el === doc.documentElement) return null;
  const own = el.ownerDocument;
  return el === own.body || el === own.documentElement ? null : el;
}

function frameActive(frame: HTMLIFrameElement): Element | null {
  try {
    const doc = frame.contentDocument;
    const active = doc?.activeElement;
    return active && active !== doc.body && active !== doc.documentElement ? active : null;
  } catch {
    return null;
  }
}

/** The layer an element is shown in: a modal dialog, an open popover, or neither. */
export function topLayerOf(el: Element): TopLayer | null {
  try {
    if (el.localName === 'dialog' && el.matches(':modal')) return 'modal';
    if (el.hasAttribute('popover') && el.matches(':popover-open')) return 'popover';
  } catch {
    // A browser without these pseudo-classes has no top layer to mirror.
  }
  return null;
}

function isTextField(el: Element): el is HTMLInputElement | HTMLTextAreaElement {
  if (el.localName === 'textarea') return true;
  if (el.localName !== 'input') return false;
  return /^(?:text|search|url|tel|email|password|)$/.test((el as HTMLInputElement).type);
}

export class PendingState {
  private focusDirty = false;
  private hoverDirty = false;
  private hoverTarget: Element | null = null;
  private readonly selections = new Set<Document>();
  private readonly layers = new Set<Element>();
  /** What the agent was last told, so that an unchanged state costs no operation. */
  private sentFocus: string | undefined;
  private sentHover: NodeId | null | undefined;
  private readonly sentLayers = new WeakMap<Element, TopLayer | null>();

  constructor(
    private readonly ctx: SerializeContext,
    private readonly doc: Document,
  ) {}

  get isEmpty(): boolean {
    return (
      !this.focusDirty && !this.hoverDirty && this.selections.size === 0 && this.layers.size === 0
    );
  }

  /** After a snapshot the agent knows none of it: everything is sent again. */
  markAll(roots: Iterable<Document | ShadowRoot>): void {
    this.sentFocus = undefined;
    this.sentHover = undefined;
    this.focusDirty = true;
    this.hoverDirty = true;
    for (const root of roots) {
      if (root.nodeType === Node.DOCUMENT_NODE) this.selections.add(root as Document);
      root.querySelectorAll('dialog, [popover]').forEach((el) => {
        this.sentLayers.delete(el);
        this.layers.add(el);
      });
    }
  }

  markFocus(): void {
    this.focusDirty = true;
  }

  markHover(target: Element | null): void {
    this.hoverTarget = target;
    this.hoverDirty = true;
  }

  markSelection(doc: Document): void {
    this.selections.add(doc);
  }

  markLayer(el: Element): void {
    this.layers.add(el);
  }

  /** The operations for what changed, against the ids sent so far; then clears. */
  takeOps(): MutationOp[] {
    const ops: MutationOp[] = [];
    if (this.focusDirty) this.focusOp(ops);
    if (this.hoverDirty) this.hoverOp(ops);
    for (const doc of this.selections) this.selectionOp(doc, ops);
    for (const el of this.layers) this.layerOp(el, ops);
    this.focusDirty = false;
    this.hoverDirty = false;
    this.selections.clear();
    this.layers.clear();
    return ops;
  }

  /** The id of an element the agent has (not inside a hidden box), else undefined. */
  private shownId(node: Node): NodeId | undefined {
    if (!node.isConnected || isInsideHidden(node)) return undefined;
    return this.ctx.ids.peek(node);
  }

  /** The element itself or its nearest ancestor the agent has, across shadow roots. */
  private nearestShown(el: Element | null): NodeId | null {
    for (let node: Node | null = el, i = 0; node && i < 1024; i++) {
      if (isElement(node)) {
        const id = this.shownId(node);
        if (id !== undefined) return id;
      }
      const parent: Node | null = node.parentNode;
      node =
        parent?.nodeType === Node.DOCUMENT_FRAGMENT_NODE ? (parent as ShadowRoot).host : parent;
      if (node?.nodeType === Node.DOCUMENT_NODE) break;
    }
    return null;
  }

  private focusOp(ops: MutationOp[]): void {
    const el = deepActiveElement(this.doc);
    const id = el ? (this.shownId(el) ?? null) : null;
    let visible = false;
    try {
      visible = !!el && id !== null && el.matches(':focus-visible');
    } catch {
      visible = false;
    }
    const key = `${id}:${visible}`;
    if (key === this.sentFocus) return;
    this.sentFocus = key;
    ops.push({ op: 'focus', id, visible });
  }

  private hoverOp(ops: MutationOp[]): void {
    const target = this.hoverTarget;
    const id = target && target.isConnected ? this.nearestShown(target) : null;
    if (id === this.sentHover) return;
    this.sentHover = id;
    ops.push({ op: 'hover', id });
  }

  private selectionOp(doc: Document, ops: MutationOp[]): void {
    const docId = this.ctx.ids.peek(doc);
    if (docId === undefined) return;
    ops.push({ op: 'selection', id: docId, ranges: this.ranges(doc) });
  }

  private ranges(doc: Document): SelectionRange[] {
    const active = doc.activeElement;
    if (active && isTextField(active)) {
      // A field's selection lives in the field; the document's says only where the field is.
      const start = active.selectionStart ?? 0;
      const end = active.selectionEnd ?? 0;
      const id = this.shownId(active);
      if (start === end || id === undefined || isMaskedContext(active)) return [];
      return [{ start: id, startOffset: start, end: id, endOffset: end }];
    }
    const selection = doc.getSelection();
    const out: SelectionRange[] = [];
    if (!selection) return out;
    for (let i = 0; i < selection.rangeCount && i < 16; i++) {
      const range = selection.getRangeAt(i);
      if (range.collapsed) continue;
      const start = this.endpoint(range.startContainer);
      const end = this.endpoint(range.endContainer);
      if (start === undefined || end === undefined) continue;
      out.push({ start, startOffset: range.startOffset, end, endOffset: range.endOffset });
    }
    return out;
  }

  /** A range's end the agent may be told of: a node it has, outside masked content. */
  private endpoint(node: Node): NodeId | undefined {
    const el = isElement(node) ? node : node.parentElement;
    if (!el || isMaskedContext(el) || isHiddenElement(el)) return undefined;
    if (node.nodeType !== Node.TEXT_NODE && !isElement(node)) return undefined;
    return this.shownId(node);
  }

  private layerOp(el: Element, ops: MutationOp[]): void {
    const id = this.shownId(el);
    if (id === undefined || isHiddenElement(el)) return;
    const layer = topLayerOf(el);
    if (this.sentLayers.get(el) === layer) return;
    // Never shown in the top layer and not now: nothing for the agent to change.
    if (layer === null && !this.sentLayers.has(el)) return;
    this.sentLayers.set(el, layer);
    ops.push({ op: 'layer', id, layer });
  }
}
