/**
 * Builds live DOM nodes from serialized ones, inside a given document. Elements are created with
 * createElementNS and attributes set one by one through the policy, never parsed from HTML.
 */
import type {
  DocumentNode,
  ElementNode,
  NodeId,
  SerializedNode,
} from '../../src/protocol/index.ts';
import { CANVAS_STAND_IN_ATTRIBUTE } from '../../src/protocol/owned-attributes.ts';
import { rewriteStateSelectors } from './mirror-css.ts';
import { isAllowedAttribute, isAllowedElement, isAllowedRemoval } from './policy.ts';
import { svgTagName } from './svg-names.ts';

/** The parts of the Trusted Types API used here (not in TypeScript's DOM lib yet). */
interface TrustedTypesFactory {
  createPolicy(name: string, rules: Record<string, (input: string) => never>): unknown;
}

const refuse = (input: string): never => {
  throw new TypeError(
    `the console never turns page text into HTML or script (${input.length} chars)`,
  );
};

/**
 * The console's one Trusted Types policy (its CSP allows this name only, once). The rebuild never
 * parses HTML nor sets a script sink, so every rule refuses; the policy exists so that the name
 * is taken, at load, by this code and nothing else. Null where Trusted Types are unsupported.
 */
const rebuildPolicy: unknown =
  (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes?.createPolicy(
    'tandem-rebuild',
    { createHTML: refuse, createScript: refuse, createScriptURL: refuse },
  ) ?? null;

/** Whether the console runs under Trusted Types with its policy (for the console's test hooks). */
export function holdsRebuildPolicy(): boolean {
  return rebuildPolicy !== null;
}

export const HTML_NS = 'http://www.w3.org/1999/xhtml';
const SVG_NS = 'http://www.w3.org/2000/svg';
const MATH_NS = 'http://www.w3.org/1998/Math/MathML';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface BuildContext {
  register(id: NodeId, node: Node): void;
  /** A frame element was built; its document (if any) is the caller's to build. */
  onFrame(frame: HTMLIFrameElement, doc: DocumentNode | undefined): void;
  setScroll(id: NodeId, x: number, y: number): void;
}

/**
 * Marks the `<img>` that stands in for a `<canvas>`: in a frame without scripts a canvas shows
 * its fallback content, never its bitmap, so the bitmap is shown as an image instead.
 */
export const CANVAS_ATTRIBUTE = CANVAS_STAND_IN_ATTRIBUTE;

/** A transparent 1×1 PNG: what a canvas stand-in shows before (or without) a bitmap. */
export const BLANK_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/**
 * Shows a canvas bitmap (a PNG data URL) in its stand-in image, or a video's current frame as
 * its poster: the mirror plays nothing, so what the customer sees now is the picture to show.
 */
export function setCanvasImage(el: Element, data: string): void {
  if (!data.startsWith('data:image/')) return;
  if (el.hasAttribute(CANVAS_ATTRIBUTE)) el.setAttribute('src', data);
  else if (el.localName === 'video' && el.namespaceURI === HTML_NS) {
    const video = el as HTMLVideoElement;
    video.removeAttribute('autoplay');
    video.pause();
    video.setAttribute('poster', data);
  }
}

/** What the policy judges an element as: its HTML name, `canvas` for a stand-in, null for SVG/MathML. */
function policyTag(el: Element): string | null {
  if (el.namespaceURI !== HTML_NS) return null;
  return el.hasAttribute(CANVAS_ATTRIBUTE) ? 'canvas' : el.localName.toLowerCase();
}

/** Sets one attribute, if the policy allows it; returns whether it was set. */
export function setAttribute(el: Element, name: string, value: string): boolean {
  if (!isAllowedAttribute(policyTag(el), name, value)) return false;
  try {
    if (name.startsWith('xlink:')) el.setAttributeNS(XLINK_NS, name, value);
    else if (name.startsWith('xml:')) el.setAttributeNS(XML_NS, name, value);
    else el.setAttribute(name, value);
    return true;
  } catch {
    return false; // A name the DOM refuses; the element is still useful without it.
  }
}

/** Removes one attribute a page operation named, unless the console owns it. */
export function removeAttribute(el: Element, name: string): void {
  if (!isAllowedRemoval(policyTag(el), name)) return;
  if (name.startsWith('xlink:')) el.removeAttributeNS(XLINK_NS, name.slice(6));
  else el.removeAttribute(name);
}

/** Applies live form state, which attributes do not carry. */
export function setFormState(
  node: Node,
  state: { value?: string; checked?: boolean; selected?: boolean },
): void {
  const el = node as HTMLInputElement & HTMLOptionElement;
  if (state.value !== undefined && 'value' in el) el.value = state.value;
  if (state.checked !== undefined && 'checked' in el) el.checked = state.checked;
  if (state.selected !== undefined && 'selected' in el) el.selected = state.selected;
}

function createElement(doc: Document, node: ElementNode): Element | null {
  try {
    if (node.ns === 'svg') return doc.createElementNS(SVG_NS, svgTagName(node.tag));
    if (node.ns === 'math') return doc.createElementNS(MATH_NS, node.tag);
    if (node.tag === 'canvas') {
      const img = doc.createElementNS(HTML_NS, 'img');
      img.setAttribute(CANVAS_ATTRIBUTE, '');
      // Until (unless: masked, tainted) a bitmap arrives, an empty canvas: no broken-image box.
      img.setAttribute('src', BLANK_PNG);
      return img;
    }
    return doc.createElementNS(HTML_NS, node.tag);
  } catch {
    return null;
  }
}

function buildElement(doc: Document, node: ElementNode, ctx: BuildContext): Element | null {
  if (!isAllowedElement(node.tag, node.attrs)) return null;
  const el = createElement(doc, node);
  if (!el) return null;
  for (const [name, value] of Object.entries(node.attrs)) setAttribute(el, name, value);
  if (node.tag === 'iframe' && el.namespaceURI === HTML_NS) {
    ctx.onFrame(el as HTMLIFrameElement, node.frame);
  }
  appendChildren(el, node.children, ctx);
  if (node.shadow) {
    try {
      const root = el.attachShadow({ mode: 'open' });
      appendChildren(root, node.shadow, ctx);
    } catch {
      // Not every element can host a shadow root; its light DOM is still shown.
    }
  }
  if (node.css !== undefined && node.tag === 'style') {
    el.textContent = rewriteStateSelectors(node.css);
  }
  if (node.canvas !== undefined) setCanvasImage(el, node.canvas);
  setFormState(el, node);
  ctx.register(node.id, el);
  if (node.scroll) ctx.setScroll(node.id, node.scroll.x, node.scroll.y);
  return el;
}

/** Builds a node and its subtree; null when the policy refuses it. */
export function buildNode(doc: Document, node: SerializedNode, ctx: BuildContext): Node | null {
  if (node.type === 'text') {
    const text = doc.createTextNode(node.text);
    ctx.register(node.id, text);
    return text;
  }
  return buildElement(doc, node, ctx);
}

function appendChildren(
  parent: Element | ShadowRoot,
  children: SerializedNode[],
  ctx: BuildContext,
): void {
  const doc = parent.ownerDocument;
  if (!doc) return;
  const options: [Node, ElementNode][] = [];
  for (const child of children) {
    const built = buildNode(doc, child, ctx);
    if (!built) continue;
    parent.appendChild(built);
    if (child.type === 'element' && child.selected !== undefined) options.push([built, child]);
  }
  // Inserting a selected option makes a single select deselect the others: re-apply in order.
  for (const [built, child] of options) setFormState(built, child);
}
