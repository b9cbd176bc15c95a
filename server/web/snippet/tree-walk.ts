/**
 * The serializing walk over a live DOM, written as a loop over an explicit stack so that it can
 * stop when its time slice is used up and resume in a later task (a 150k-node page takes over a
 * second to serialize; the host page must stay responsive meanwhile).
 *
 * Consistency while paused: the page may change between slices. The recorder keeps gathering
 * mutation records as usual and emits them as a batch right after the snapshot, with values read
 * then, so every change lands on the agent's tree whether the walk had passed that spot or not
 * (operations are idempotent: an `add` of a node the snapshot already holds replaces it). The walk
 * only has to keep its place and never send a node twice: on resume, a level whose parent's
 * children changed rescans them from the start, skipping those it has sent (its last one may have
 * moved anywhere); a node removed while paused is skipped if the walk meets it again elsewhere,
 * since the batch re-adds it at its new place.
 *
 * Masking is decided top-down: a node is masked when its parent is or when it matches a mask or
 * hide rule itself, which is `closest` evaluated once per element instead of once per node and
 * attribute.
 */
import type {
  DocumentNode,
  ElementNode,
  NodeId,
  SerializedNode,
} from '../../src/protocol/index.ts';
import { LIMITS } from '../../src/protocol/index.ts';
import { serializeAttributes } from './attributes.ts';
import { hiddenBox, isHiddenElement, matchesMask, textValue } from './masking.ts';
import { noteRestricted } from './restriction-changes.ts';
import {
  canvasData,
  documentScroll,
  elementScroll,
  formState,
  frameDocument,
  sentElementTag,
  styleCss,
  type SerializeContext,
} from './serialize.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
const MATH_NS = 'http://www.w3.org/1998/Math/MathML';
/** The clock is read once per this many nodes: often enough for 8 ms slices, cheap enough. */
const CLOCK_EVERY = 32;

/** One level of the walk: a parent whose children are being serialized into `out`. */
interface Level {
  parent: Node;
  out: SerializedNode[];
  /** The last child handled: the walk continues from its next sibling. */
  prev: Node | null;
  /** Whether the parent is masked (or hidden): its text, values and labels are masked. */
  masked: boolean;
  /** After a rescan: ids already in `out`, never sent again. */
  sent?: Set<NodeId | undefined>;
}

export class TreeWalk {
  private readonly stack: Level[] = [];
  private readonly removed = new Set<Node>();
  /** Parents whose children changed while the walk was paused. */
  private readonly touched = new Set<Node>();

  /**
   * @param readScroll whether elements' scroll offsets are read (default true). Reading one
   *   forces a layout when the page changed; nodes just inserted cannot be scrolled yet (a box
   *   starts at 0, and a later scroll arrives as its own event), so the mutation path skips it.
   */
  constructor(
    private readonly ctx: SerializeContext,
    private readonly readScroll = true,
  ) {}

  /** Starts at a document; returns its node, complete once `run` returns true. */
  startDocument(doc: Document, masked: boolean): DocumentNode {
    const node: DocumentNode = { type: 'document', id: this.ctx.ids.idOf(doc), children: [] };
    const scroll = documentScroll(doc);
    if (scroll) node.scroll = scroll;
    this.stack.push({ parent: doc, out: node.children, prev: null, masked });
    return node;
  }

  /** Starts at one node, whose serialization is pushed onto `out`. */
  startNode(node: Node, out: SerializedNode[], masked: boolean): void {
    this.visit(node, { parent: node.parentNode ?? node, out, prev: null, masked });
  }

  /** The page changed while the walk was paused. */
  noteRecords(records: MutationRecord[]): void {
    for (const record of records) {
      if (record.type !== 'childList') continue;
      this.touched.add(record.target);
      record.removedNodes.forEach((node) => this.removed.add(node));
    }
  }

  /**
   * Serializes until the walk is complete (true) or `now()` reaches `deadline` (false: call
   * again later). The page may have changed in between; see the module comment.
   */
  run(now: () => number, deadline: number): boolean {
    this.checkPlaces();
    let count = 0;
    while (this.stack.length > 0) {
      const level = this.stack[this.stack.length - 1] as Level;
      const next = this.nextChild(level);
      if (next === null) {
        this.stack.pop();
        continue;
      }
      level.prev = next;
      if (level.sent?.has(this.ctx.ids.peek(next))) continue;
      this.visit(next, level);
      count += 1;
      if (count % CLOCK_EVERY === 0 && now() >= deadline) return false;
    }
    return true;
  }

  /** After a pause: a level whose parent's children changed may have lost its place. */
  private checkPlaces(): void {
    if (this.touched.size === 0) return;
    for (const level of this.stack) {
      if (level.prev === null || !this.touched.has(level.parent)) continue;
      level.prev = null;
      const sent = level.sent ?? new Set<NodeId | undefined>();
      for (const node of level.out) sent.add(node.id);
      level.sent = sent;
    }
    this.touched.clear();
  }

  private nextChild(level: Level): Node | null {
    return level.prev === null ? level.parent.firstChild : level.prev.nextSibling;
  }

  private visit(node: Node, level: Level): void {
    if (this.removed.size > 0 && this.removed.has(node)) return;
    if (this.ctx.isIgnored(node)) return;
    const type = node.nodeType;
    if (type === Node.TEXT_NODE) {
      const text = textValue(node as Text, level.masked);
      level.out.push({
        type: 'text',
        id: this.ctx.ids.idOf(node),
        text: text.length > LIMITS.maxStringLength ? '' : text,
      });
      return;
    }
    if (type !== Node.ELEMENT_NODE) return;
    const el = node as Element;
    const tag = sentElementTag(el);
    if (tag !== null) level.out.push(this.element(el, tag, level.masked));
  }

  /** Serializes an element's own state and queues its children, shadow root and frame. */
  private element(el: Element, tag: string, inherited: boolean): ElementNode {
    const hidden = isHiddenElement(el);
    const ownMask = matchesMask(el);
    // Remembered so that a later change that restricts it again is not mistaken for a new one.
    if (hidden || ownMask) noteRestricted(el);
    const id = this.ctx.ids.idOf(el);
    // A hidden element leaves as an empty box of its size: nothing inside it is ever read.
    if (hidden) return hiddenBox(el, id);
    const masked = inherited || ownMask;
    const node: ElementNode = {
      type: 'element',
      id,
      tag,
      attrs: serializeAttributes(el, masked),
      children: [],
    };
    const ns = el.namespaceURI;
    if (ns === SVG_NS) node.ns = 'svg';
    else if (ns === MATH_NS) node.ns = 'math';
    if (tag === 'input' || tag === 'textarea' || tag === 'option') {
      Object.assign(node, formState(el, masked));
    }
    const scroll = this.readScroll ? elementScroll(el) : undefined;
    if (scroll) node.scroll = scroll;
    if (tag === 'style') node.css = styleCss(el as HTMLStyleElement);
    if (tag === 'canvas' && !masked) {
      const data = canvasData(el as HTMLCanvasElement);
      if (data !== undefined) node.canvas = data;
    }
    if (tag === 'img') {
      // The source the browser actually chose from srcset/picture, so the agent shows the same.
      const current = (el as HTMLImageElement).currentSrc;
      if (current && !current.startsWith('blob:')) node.attrs.src = current;
    }
    // Pushed in reverse, so that the light children are walked first (ids stay in page order).
    if (tag === 'iframe') {
      const frame = el as HTMLIFrameElement;
      const doc = frameDocument(frame);
      this.ctx.onFrame(frame, doc);
      if (doc) node.frame = this.startDocument(doc, masked);
    }
    const shadow = el.shadowRoot;
    if (shadow) {
      this.ctx.onShadowRoot(shadow);
      node.shadow = [];
      this.stack.push({ parent: shadow, out: node.shadow, prev: null, masked });
    }
    if (tag !== 'style' && el.firstChild !== null) {
      this.stack.push({ parent: el, out: node.children, prev: null, masked });
    }
    return node;
  }
}
