/**
 * Serializes a document (with its open shadow roots and same-origin frames) into the protocol's
 * tree. Pure reading: the only side effects are assigning node ids and telling the caller which
 * shadow roots and frame documents were met, so that it can observe them.
 */
import type {
  DocumentNode,
  ElementNode,
  ScrollPosition,
  SerializedNode,
} from '../../src/protocol/index.ts';
import { LIMITS } from '../../src/protocol/index.ts';
import { serializeAttributes } from './attributes.ts';
import { fieldValue, hiddenBox, isHiddenElement, textValue } from './masking.ts';
import type { NodeIds } from './node-ids.ts';
import { noteSerialized } from './restriction-changes.ts';
import { absoluteCssUrls } from './urls.ts';

export interface SerializeContext {
  ids: NodeIds;
  /** Nodes that belong to Tandem itself (the widget) and are never sent. */
  isIgnored(node: Node): boolean;
  /** Called for every open shadow root met. */
  onShadowRoot(root: ShadowRoot): void;
  /** Called for every `<iframe>` met, with its document when it is same-origin. */
  onFrame(frame: HTMLIFrameElement, doc: Document | null): void;
}

/** Elements that are never sent: scripts and what only matters to scripts or the host's URL. */
const SKIPPED_TAGS = new Set(['script', 'noscript', 'base', 'object', 'embed', 'applet']);
const TAG = /^[a-z][a-z0-9._-]*(?::[a-z][a-z0-9._-]*)?$/;
const SVG_NS = 'http://www.w3.org/2000/svg';
const MATH_NS = 'http://www.w3.org/1998/Math/MathML';

function isSentElement(el: Element): boolean {
  const tag = el.localName.toLowerCase();
  if (SKIPPED_TAGS.has(tag) || !TAG.test(tag) || tag.length > LIMITS.maxTagLength) return false;
  if (tag === 'meta' && el.hasAttribute('http-equiv')) return false;
  if (tag === 'link') {
    // Only links that affect rendering; preloads and prefetches would only fetch.
    const rel = (el.getAttribute('rel') ?? '').toLowerCase();
    return /\b(stylesheet|icon)\b/.test(rel);
  }
  return true;
}

/** Whether `node` is represented in the serialized tree (its parent aside). */
export function isSerializable(node: Node, ctx: SerializeContext): boolean {
  if (ctx.isIgnored(node)) return false;
  if (node.nodeType === Node.TEXT_NODE) {
    // Text of a <style> is sent as its CSSOM; other text inside skipped elements never arrives here.
    return node.parentNode?.nodeName.toLowerCase() !== 'style';
  }
  return node.nodeType === Node.ELEMENT_NODE && isSentElement(node as Element);
}

/** The CSS of a `<style>` as its CSSOM holds it, so that rules inserted by script are included. */
export function styleCss(el: HTMLStyleElement): string {
  const sheet = el.sheet;
  let css: string;
  try {
    css = sheet ? Array.from(sheet.cssRules, (rule) => rule.cssText).join('\n') : el.textContent;
  } catch {
    css = el.textContent ?? '';
  }
  css = absoluteCssUrls(css ?? '', el.baseURI);
  return css.length > LIMITS.maxStringLength ? '' : css;
}

/** A canvas bitmap as a PNG data URL, or undefined when it is tainted or too large. */
export function canvasData(el: HTMLCanvasElement): string | undefined {
  try {
    const data = el.toDataURL('image/png');
    return data.length > LIMITS.maxStringLength ? undefined : data;
  } catch {
    return undefined; // A cross-origin image tainted it; the agent sees an empty canvas.
  }
}

function elementScroll(el: Element): ScrollPosition | undefined {
  return el.scrollLeft !== 0 || el.scrollTop !== 0
    ? { x: el.scrollLeft, y: el.scrollTop }
    : undefined;
}

/** The live form state of `el`, which attributes do not carry. */
export function formState(el: Element): Pick<ElementNode, 'value' | 'checked' | 'selected'> {
  // Tag names rather than instanceof: frames have their own HTMLInputElement.
  if (el.localName === 'input') {
    const input = el as HTMLInputElement;
    const type = input.type;
    if (type === 'checkbox' || type === 'radio') return { checked: input.checked };
    if (type === 'file') return {}; // Its value is a local file name.
    return { value: fieldValue(input, input.value) };
  }
  if (el.localName === 'textarea') {
    return { value: fieldValue(el, (el as HTMLTextAreaElement).value) };
  }
  if (el.localName === 'option') return { selected: (el as HTMLOptionElement).selected };
  return {};
}

function serializeElement(el: Element, ctx: SerializeContext): ElementNode {
  noteSerialized(el);
  // A hidden element leaves as an empty box of its size: nothing inside it is ever read.
  if (isHiddenElement(el)) return hiddenBox(el, ctx.ids.idOf(el));
  const tag = el.localName.toLowerCase();
  const node: ElementNode = {
    type: 'element',
    id: ctx.ids.idOf(el),
    tag,
    attrs: serializeAttributes(el),
    children: tag === 'style' ? [] : serializeChildren(el, ctx),
  };
  if (el.namespaceURI === SVG_NS) node.ns = 'svg';
  else if (el.namespaceURI === MATH_NS) node.ns = 'math';
  Object.assign(node, formState(el));
  const scroll = elementScroll(el);
  if (scroll) node.scroll = scroll;
  if (tag === 'style') node.css = styleCss(el as HTMLStyleElement);
  if (tag === 'canvas') {
    const data = canvasData(el as HTMLCanvasElement);
    if (data !== undefined) node.canvas = data;
  }
  if (tag === 'img') {
    // The source the browser actually chose from srcset/picture, so the agent shows the same one.
    const current = (el as HTMLImageElement).currentSrc;
    if (current && !current.startsWith('blob:')) node.attrs.src = current;
  }
  if (tag === 'iframe') {
    const frame = el as HTMLIFrameElement;
    const doc = frameDocument(frame);
    ctx.onFrame(frame, doc);
    if (doc) node.frame = serializeDocument(doc, ctx);
  }
  const shadow = el.shadowRoot;
  if (shadow) {
    ctx.onShadowRoot(shadow);
    node.shadow = serializeChildren(shadow, ctx);
  }
  return node;
}

/** The document inside a frame when it is same-origin and reachable, else null. */
export function frameDocument(frame: HTMLIFrameElement): Document | null {
  try {
    return frame.contentDocument;
  } catch {
    return null;
  }
}

/** Serializes one node, or returns null when it is not sent. */
export function serializeNode(node: Node, ctx: SerializeContext): SerializedNode | null {
  if (!isSerializable(node, ctx)) return null;
  if (node.nodeType === Node.TEXT_NODE) {
    const text = textValue(node as Text);
    return {
      type: 'text',
      id: ctx.ids.idOf(node),
      text: text.length > LIMITS.maxStringLength ? '' : text,
    };
  }
  return serializeElement(node as Element, ctx);
}

export function serializeChildren(parent: Node, ctx: SerializeContext): SerializedNode[] {
  const out: SerializedNode[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    const serialized = serializeNode(child, ctx);
    if (serialized) out.push(serialized);
  }
  return out;
}

/** The document's viewport scroll, when it is scrolled. */
export function documentScroll(doc: Document): ScrollPosition | undefined {
  const win = doc.defaultView;
  if (!win || (win.scrollX === 0 && win.scrollY === 0)) return undefined;
  return { x: win.scrollX, y: win.scrollY };
}

export function serializeDocument(doc: Document, ctx: SerializeContext): DocumentNode {
  const node: DocumentNode = {
    type: 'document',
    id: ctx.ids.idOf(doc),
    children: serializeChildren(doc, ctx),
  };
  const scroll = documentScroll(doc);
  if (scroll) node.scroll = scroll;
  return node;
}
