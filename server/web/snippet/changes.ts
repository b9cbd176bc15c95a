/**
 * Collects what changed since the last batch and turns it into operations at flush time.
 * Values are read when the batch is built, not when the change happened, so a burst of typing or
 * scrolling on one node costs one operation, and an operation never carries a stale value.
 */
import type { MutationOp, NodeId, Viewport } from '../../src/protocol/index.ts';
import { serializeAttribute } from './attributes.ts';
import { isHiddenElement, isInsideHidden, isTestedAttribute, textValue } from './masking.ts';
import { elementImage } from './media-frames.ts';
import { isNewlyRestricted } from './restriction-changes.ts';
import { adoptedCss, type FontSources } from './sheets.ts';
import {
  formState,
  frameDocument,
  isSerializable,
  serializeDocument,
  serializeNode,
  styleCss,
  type SerializeContext,
} from './serialize.ts';

const XLINK_NS = 'http://www.w3.org/1999/xlink';

function isStyle(node: Node | null): node is HTMLStyleElement {
  return node?.nodeType === Node.ELEMENT_NODE && (node as Element).localName === 'style';
}

/** The parent of `node` in the serialized tree: shadow roots are addressed through their host. */
function treeParent(node: Node): Node | null {
  const parent = node.parentNode;
  if (parent && parent.nodeType === Node.DOCUMENT_FRAGMENT_NODE) return (parent as ShadowRoot).host;
  return parent;
}

/** Sorts siblings into document order. */
function documentOrder(a: Node, b: Node): number {
  return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
}

export class PendingChanges {
  private removed: NodeId[] = [];
  private readonly added = new Set<Node>();
  private readonly attrs = new Map<Element, Set<string>>();
  private readonly texts = new Set<Text>();
  private readonly styles = new Set<HTMLStyleElement>();
  private readonly inputs = new Set<Element>();
  private readonly scrolls = new Set<Element | Document>();
  private readonly frames = new Set<HTMLIFrameElement>();
  /** Canvases and videos whose picture changed. */
  private readonly images = new Set<Element>();
  /** The image last sent for each, so that an unchanged picture is not sent again. */
  private sentImages = new WeakMap<Element, string>();
  /** Documents and shadow roots whose adopted sheets (or font faces) changed. */
  private readonly sheetRoots = new Set<Document | ShadowRoot>();
  private viewportChanged = false;
  private dirty = false;

  constructor(
    private readonly ctx: SerializeContext,
    private readonly viewport: () => Viewport,
    private readonly fonts: FontSources,
  ) {}

  get isEmpty(): boolean {
    return !this.dirty;
  }

  recordMutations(records: MutationRecord[]): void {
    for (const record of records) this.recordMutation(record);
  }

  private recordMutation(record: MutationRecord): void {
    const target = record.target;
    if (this.ctx.isIgnored(target)) return;
    this.dirty = true;
    if (record.type === 'childList') {
      if (isStyle(target)) this.styles.add(target);
      record.removedNodes.forEach((node) => {
        const id = this.ctx.ids.peek(node);
        if (id !== undefined && !this.ctx.isIgnored(node)) this.removed.push(id);
      });
      record.addedNodes.forEach((node) => this.added.add(node));
    } else if (record.type === 'characterData') {
      if (isStyle(target.parentNode)) this.styles.add(target.parentNode);
      else if (target.nodeType === Node.TEXT_NODE) this.texts.add(target as Text);
    } else if (record.type === 'attributes' && record.attributeName) {
      const name =
        record.attributeNamespace === XLINK_NS
          ? `xlink:${record.attributeName}`
          : record.attributeName;
      const el = target as Element;
      const names = this.attrs.get(el) ?? new Set<string>();
      names.add(name);
      this.attrs.set(el, names);
    }
  }

  /** A form field changed: radios also uncheck their group, and a select changes its options. */
  markInput(el: Element): void {
    this.dirty = true;
    if (el.localName === 'select') {
      for (const option of Array.from((el as HTMLSelectElement).options)) this.inputs.add(option);
      return;
    }
    const input = el as HTMLInputElement;
    if (el.localName === 'input' && input.type === 'radio' && input.name) {
      const scope: ParentNode = input.form ?? (el.getRootNode() as ParentNode);
      const group = scope.querySelectorAll(`input[type="radio"][name="${CSS.escape(input.name)}"]`);
      group.forEach((radio) => this.inputs.add(radio));
    }
    this.inputs.add(el);
  }

  /** A `<style>`'s rules changed through the CSSOM (no mutation record says so). */
  markStyle(style: HTMLStyleElement): void {
    this.dirty = true;
    this.styles.add(style);
  }

  markScroll(target: Element | Document): void {
    this.dirty = true;
    this.scrolls.add(target);
  }

  markFrame(frame: HTMLIFrameElement): void {
    this.dirty = true;
    this.frames.add(frame);
  }

  /** A canvas or a video shows a new picture. */
  markImage(el: Element): void {
    this.dirty = true;
    this.images.add(el);
  }

  /** A document's or shadow root's adopted sheets, or a document's font faces, changed. */
  markSheets(root: Document | ShadowRoot): void {
    this.dirty = true;
    this.sheetRoots.add(root);
  }

  /** After a snapshot: the agent has the pictures it holds, not those sent before. */
  resetSentImages(): void {
    this.sentImages = new WeakMap();
  }

  markViewport(): void {
    this.dirty = true;
    this.viewportChanged = true;
  }

  clear(): void {
    this.removed = [];
    this.added.clear();
    this.attrs.clear();
    this.texts.clear();
    this.styles.clear();
    this.inputs.clear();
    this.scrolls.clear();
    this.frames.clear();
    this.images.clear();
    this.sheetRoots.clear();
    this.viewportChanged = false;
    this.dirty = false;
  }

  /** The operations for everything pending, in an order the agent can apply; then clears. */
  takeOps(): MutationOp[] {
    const ops: MutationOp[] = [];
    // Frames first: a re-serialized document already holds every other change inside it.
    const reframed = this.frameOps(ops);
    for (const id of this.removed) ops.push({ op: 'remove', id });
    this.addOps(ops, reframed);
    this.attrOps(ops);
    for (const text of this.texts) {
      const id = this.sentId(text);
      if (id !== undefined) ops.push({ op: 'text', id, text: textValue(text) });
    }
    for (const style of this.styles) {
      const id = this.sentId(style);
      if (id !== undefined) ops.push({ op: 'css', id, css: styleCss(style) });
    }
    this.sheetOps(ops);
    this.imageOps(ops);
    this.inputOps(ops);
    this.scrollOps(ops);
    if (this.viewportChanged) ops.push({ op: 'viewport', ...this.viewport() });
    this.clear();
    return ops;
  }

  /** The id of a node the agent has, or undefined for one it never got or that is detached. */
  private sentId(node: Node): NodeId | undefined {
    // A hidden element is an empty box to the agent: nothing about it is updated.
    if (node.nodeType === Node.ELEMENT_NODE && isHiddenElement(node as Element)) return undefined;
    return node.isConnected ? this.ctx.ids.peek(node) : undefined;
  }

  private frameOps(ops: MutationOp[]): Set<Document> {
    const reframed = new Set<Document>();
    for (const frame of this.frames) {
      const id = this.sentId(frame);
      if (id === undefined) continue;
      const doc = frameDocument(frame);
      this.ctx.onFrame(frame, doc);
      ops.push({ op: 'frame', id, doc: doc ? serializeDocument(doc, this.ctx) : null });
      if (doc) reframed.add(doc);
    }
    return reframed;
  }

  private hasAddedAncestor(node: Node): boolean {
    for (let p = treeParent(node); p; p = treeParent(p)) {
      if (this.added.has(p)) return true;
    }
    return false;
  }

  private addOps(ops: MutationOp[], reframed: Set<Document>): void {
    // Added nodes are grouped by parent and sent in document order, each inserted before the
    // next sibling the agent had before this batch. The anchors are found in one backward pass
    // per parent: scanning forward from every node made n new siblings cost n² (a list moved in
    // one go). Anchoring on nodes added in the same batch would chain them: one the server
    // refuses would take every op that points at it down too.
    const groups = new Map<Node, Node[]>();
    for (const node of this.added) {
      const parent = node.parentNode;
      if (!parent || !node.isConnected || !isSerializable(node, this.ctx)) continue;
      if (node.ownerDocument && reframed.has(node.ownerDocument)) continue;
      // Inside another added node: that node's serialization already includes this one.
      if (this.hasAddedAncestor(node)) continue;
      if (isInsideHidden(node)) continue;
      const group = groups.get(parent);
      if (group) group.push(node);
      else groups.set(parent, [node]);
    }
    for (const [parent, nodes] of groups) {
      const shadow = parent.nodeType === Node.DOCUMENT_FRAGMENT_NODE;
      const parentNode = shadow ? (parent as ShadowRoot).host : parent;
      if (isStyle(parentNode)) continue;
      const parentId = this.ctx.ids.peek(parentNode);
      if (parentId === undefined) continue;
      if (nodes.length > 1) nodes.sort(documentOrder);
      const anchors = new Map<Node, NodeId | null>();
      for (let i = nodes.length - 1; i >= 0; i--) {
        const node = nodes[i] as Node;
        anchors.set(node, this.nextSentSibling(node, anchors));
      }
      for (const node of nodes) {
        const serialized = serializeNode(node, this.ctx);
        if (!serialized) continue;
        ops.push({
          op: 'add',
          parent: parentId,
          before: anchors.get(node) ?? null,
          node: serialized,
          ...(shadow && { shadow }),
        });
      }
    }
  }

  /**
   * The first following sibling the agent already has, to insert before; null to append.
   * `anchors` holds the answer for added siblings already looked at, so no run is scanned twice.
   */
  private nextSentSibling(node: Node, anchors: Map<Node, NodeId | null>): NodeId | null {
    for (let s = node.nextSibling; s; s = s.nextSibling) {
      const known = anchors.get(s);
      if (known !== undefined) return known;
      if (this.added.has(s)) continue;
      if (!isSerializable(s, this.ctx)) continue;
      const id = this.ctx.ids.peek(s);
      if (id !== undefined) return id;
    }
    return null;
  }

  private attrOps(ops: MutationOp[]): void {
    for (const [el, names] of this.attrs) {
      // Not sentId: an element that just became hidden must still be replaced by its box.
      const id = el.isConnected ? this.ctx.ids.peek(el) : undefined;
      if (id === undefined) continue;
      if ([...names].some(isTestedAttribute) && isNewlyRestricted(el)) {
        this.resend(ops, el, id);
        continue;
      }
      if (isHiddenElement(el)) continue;
      for (const name of names) {
        const raw = name.startsWith('xlink:')
          ? el.getAttributeNS(XLINK_NS, name.slice(6))
          : el.getAttribute(name);
        const value = raw === null ? null : serializeAttribute(el, name, raw);
        if (raw !== null && value === null) continue; // Never sent, so never updated.
        ops.push({ op: 'attr', id, name, value });
      }
    }
  }

  /** Sends an element again (remove, then add), restricted by the rules that now match it. */
  private resend(ops: MutationOp[], el: Element, id: NodeId): void {
    const parent = el.parentNode;
    if (!parent) return;
    const shadow = parent.nodeType === Node.DOCUMENT_FRAGMENT_NODE;
    const parentId = this.ctx.ids.peek(shadow ? (parent as ShadowRoot).host : parent);
    const node = serializeNode(el, this.ctx, true);
    if (parentId === undefined || !node) return;
    const before = this.nextSentSibling(el, new Map());
    ops.push(
      { op: 'remove', id },
      { op: 'add', parent: parentId, before, node, ...(shadow && { shadow }) },
    );
  }

  private sheetOps(ops: MutationOp[]): void {
    for (const root of this.sheetRoots) {
      const isDoc = root.nodeType === Node.DOCUMENT_NODE;
      const id = this.sentId(isDoc ? root : (root as ShadowRoot).host);
      if (id === undefined) continue;
      if (!isDoc && isInsideHidden((root as ShadowRoot).host)) continue;
      ops.push({ op: 'sheets', id, sheets: adoptedCss(root, this.fonts) });
    }
  }

  private imageOps(ops: MutationOp[]): void {
    for (const el of this.images) {
      const id = this.sentId(el);
      if (id === undefined || isInsideHidden(el)) continue;
      const data = elementImage(el);
      if (data === undefined || this.sentImages.get(el) === data) continue;
      this.sentImages.set(el, data);
      ops.push({ op: 'canvas', id, data });
    }
  }

  private inputOps(ops: MutationOp[]): void {
    for (const el of this.inputs) {
      const id = this.sentId(el);
      if (id === undefined) continue;
      const state = formState(el);
      if (Object.keys(state).length > 0) ops.push({ op: 'input', id, ...state });
    }
  }

  private scrollOps(ops: MutationOp[]): void {
    for (const target of this.scrolls) {
      const id = this.sentId(target);
      if (id === undefined) continue;
      if (target.nodeType === Node.DOCUMENT_NODE) {
        const win = (target as Document).defaultView;
        if (win) ops.push({ op: 'scroll', id, x: win.scrollX, y: win.scrollY });
      } else {
        const el = target as Element;
        ops.push({ op: 'scroll', id, x: el.scrollLeft, y: el.scrollTop });
      }
    }
  }
}
