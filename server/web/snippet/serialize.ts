/**
 * Serializes a document (with its open shadow roots and same-origin frames) into the protocol's
 * tree. Pure reading: the only side effects are assigning node ids and telling the caller which
 * shadow roots and frame documents were met, so that it can observe them. The walk itself lives
 * in tree-walk.ts (it can pause and resume, for time-sliced snapshots); this module holds what an
 * element is sent as, and the one-shot entry points the mutation path uses.
 */
import type {
  DocumentNode,
  ElementNode,
  ScrollPosition,
  SerializedNode,
} from '../../src/protocol/index.ts';
import { LIMITS } from '../../src/protocol/index.ts';
import { fieldValue, isMaskedContext } from './masking.ts';
import type { NodeIds } from './node-ids.ts';
import { TreeWalk } from './tree-walk.ts';
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

/** localName → the tag sent for it, or null when never sent; pages repeat a few names a lot. */
const tagVerdicts = new Map<string, string | null>();

function sentTag(localName: string): string | null {
  let tag = tagVerdicts.get(localName);
  if (tag === undefined) {
    const lower = localName.toLowerCase();
    const refused = SKIPPED_TAGS.has(lower) || !TAG.test(lower);
    tag = refused || lower.length > LIMITS.maxTagLength ? null : lower;
    if (tagVerdicts.size < 4096) tagVerdicts.set(localName, tag);
  }
  return tag;
}

/** The (lower-case) tag `el` is sent as, or null when it is not sent. */
export function sentElementTag(el: Element): string | null {
  const tag = sentTag(el.localName);
  if (tag === 'meta') return el.hasAttribute('http-equiv') ? null : tag;
  if (tag === 'link') {
    // Only links that affect rendering; preloads and prefetches would only fetch.
    const rel = (el.getAttribute('rel') ?? '').toLowerCase();
    return /\b(stylesheet|icon)\b/.test(rel) ? tag : null;
  }
  return tag;
}

/** Whether `node` is represented in the serialized tree (its parent aside). */
export function isSerializable(node: Node, ctx: SerializeContext): boolean {
  if (ctx.isIgnored(node)) return false;
  if (node.nodeType === Node.TEXT_NODE) {
    // Text of a <style> is sent as its CSSOM; other text inside skipped elements never arrives here.
    return (node.parentNode as Element | null)?.localName !== 'style';
  }
  return node.nodeType === Node.ELEMENT_NODE && sentElementTag(node as Element) !== null;
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

export function elementScroll(el: Element): ScrollPosition | undefined {
  const x = el.scrollLeft;
  const y = el.scrollTop;
  return x !== 0 || y !== 0 ? { x, y } : undefined;
}

/** The live form state of `el`, which attributes do not carry (`masked`: when already known). */
export function formState(
  el: Element,
  masked?: boolean,
): Pick<ElementNode, 'value' | 'checked' | 'selected'> {
  // Tag names rather than instanceof: frames have their own HTMLInputElement.
  if (el.localName === 'input') {
    const input = el as HTMLInputElement;
    const type = input.type;
    if (type === 'checkbox' || type === 'radio') return { checked: input.checked };
    if (type === 'file') return {}; // Its value is a local file name.
    return { value: fieldValue(input, input.value, masked) };
  }
  if (el.localName === 'textarea') {
    return { value: fieldValue(el, (el as HTMLTextAreaElement).value, masked) };
  }
  if (el.localName === 'option') return { selected: (el as HTMLOptionElement).selected };
  return {};
}

/** The document inside a frame when it is same-origin and reachable, else null. */
export function frameDocument(frame: HTMLIFrameElement): Document | null {
  try {
    return frame.contentDocument;
  } catch {
    return null;
  }
}

/** The document's viewport scroll, when it is scrolled. */
export function documentScroll(doc: Document): ScrollPosition | undefined {
  const win = doc.defaultView;
  if (!win || (win.scrollX === 0 && win.scrollY === 0)) return undefined;
  return { x: win.scrollX, y: win.scrollY };
}

/** Whether a frame's document lies inside a masked or hidden element of its parent page. */
export function frameMasked(doc: Document): boolean {
  try {
    return isMaskedContext(doc.defaultView?.frameElement ?? null);
  } catch {
    return false; // A cross-origin parent: nothing of it is serialized here.
  }
}

/**
 * Serializes one node and its subtree at once, or returns null when it is not sent. Scroll
 * offsets are read only with `readScroll` (a node in place being sent again); see TreeWalk.
 */
export function serializeNode(
  node: Node,
  ctx: SerializeContext,
  readScroll = false,
): SerializedNode | null {
  if (!isSerializable(node, ctx)) return null;
  const parent = node.parentNode;
  const host =
    parent?.nodeType === Node.DOCUMENT_FRAGMENT_NODE ? (parent as ShadowRoot).host : parent;
  const masked = host?.nodeType === Node.ELEMENT_NODE && isMaskedContext(host as Element);
  const out: SerializedNode[] = [];
  const walk = new TreeWalk(ctx, readScroll);
  walk.startNode(node, out, masked);
  walk.run(() => 0, Infinity);
  return out[0] ?? null;
}

/** Serializes a document at once (a frame's, after it navigated). */
export function serializeDocument(doc: Document, ctx: SerializeContext): DocumentNode {
  const walk = new TreeWalk(ctx);
  const node = walk.startDocument(doc, frameMasked(doc));
  walk.run(() => 0, Infinity);
  return node;
}
