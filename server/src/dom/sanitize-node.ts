/**
 * Element- and attribute-level sanitizing of the serialized tree: every element, attribute and
 * URL must be on an allowlist (sanitize-lists.ts). Pure: returns fresh nodes, never edits input.
 */
import type { DocumentNode, ElementNode, SerializedNode, TextNode } from '../protocol/index.ts';
import { isConsoleOwnedAttribute } from '../protocol/owned-attributes.ts';
import {
  DROPPED_TAGS,
  HTML_ATTRIBUTES,
  HTML_TAGS,
  MATH_ATTRIBUTES,
  MATH_TAGS,
  SRCSET_ATTRIBUTES,
  SVG_ATTRIBUTES,
  SVG_TAGS,
  URL_ATTRIBUTES,
} from './sanitize-lists.ts';
import { sanitizeCss, sanitizeSrcset, sanitizeUrl, type UrlKind } from './sanitize-values.ts';

type Namespace = 'html' | 'svg' | 'math';

/** What the batch step remembers of a kept node: enough to judge later operations on it. */
export interface KeptNode {
  /** `'#text'`, or the namespace and tag: `html:style`, `svg:use`. */
  kind: string;
}

export interface SanitizeContext {
  /** The customer's page URL: relative URLs resolve against it. */
  base: string | undefined;
  /** Called for every node that is kept, with its id and its parent's (null at the top). */
  keep(id: number, node: KeptNode, parent: number | null): void;
}

const CUSTOM_ELEMENT = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/;
const DATA_OR_ARIA = /^(?:data|aria)-[a-z0-9._-]+$/;
const FRAME_DATA = /^data:image\/(png|jpeg);base64,([a-z0-9+/=]*)$/i;
/** The first bytes of a PNG and of a JPEG, base64-encoded as a data URL's payload starts. */
const IMAGE_MAGIC = { png: 'iVBORw0KGgo', jpeg: '/9j/' } as const;

/**
 * Whether `data` may be shown as the image of an element of `kind`: a canvas's bitmap (PNG) or a
 * video's current frame (PNG or JPEG), as a base64 data URL whose bytes start as that format's do,
 * so that nothing but a raster image of the declared type is ever put in an `<img>`.
 */
export function isElementImage(kind: string, data: string): boolean {
  if (kind !== 'html:canvas' && kind !== 'html:video') return false;
  const match = FRAME_DATA.exec(data);
  const type = match?.[1]?.toLowerCase() as keyof typeof IMAGE_MAGIC | undefined;
  if (!match || type === undefined || (kind === 'html:canvas' && type !== 'png')) return false;
  return (match[2] ?? '').startsWith(IMAGE_MAGIC[type]);
}
/** Elements whose `href` may only point inside the document. */
const FRAGMENT_ONLY = new Set(['svg:use', 'svg:mpath', 'svg:tref', 'svg:glyphref', 'svg:altglyph']);
/** Elements whose URL attributes load an image (so a raster `data:` image is fine). */
const IMAGE_ELEMENTS = new Set([
  'html:img',
  'html:source',
  'html:video',
  'html:input',
  'svg:image',
  'svg:feimage',
]);
/** Link relations that matter for rendering; others (preload, prefetch, import...) only fetch. */
const RENDERING_LINK = /^(?:(?:alternate\s+)?stylesheet|(?:shortcut\s+)?icon|apple-touch-icon)$/i;

function namespaceOf(ns: ElementNode['ns']): Namespace {
  return ns ?? 'html';
}

export function kindOf(node: SerializedNode): string {
  return node.type === 'text' ? '#text' : `${namespaceOf(node.ns)}:${node.tag}`;
}

/** The tag to build for an element, or null to drop it and everything inside it. */
export function sanitizeTag(
  tag: string,
  ns: ElementNode['ns'],
  attrs: Record<string, string>,
): string | null {
  const space = namespaceOf(ns);
  if (space === 'svg') return SVG_TAGS.has(tag) ? tag : null;
  if (space === 'math') return MATH_TAGS.has(tag) ? tag : null;
  if (DROPPED_TAGS.has(tag)) return null;
  if (tag === 'link') return RENDERING_LINK.test((attrs.rel ?? '').trim()) ? tag : null;
  if (HTML_TAGS.has(tag) || CUSTOM_ELEMENT.test(tag)) return tag;
  // An unknown element is inert but not on the list: its content is kept in a neutral box.
  return 'span';
}

/**
 * A custom element's own attribute: a plain name, no namespace prefix, never a handler, nor a
 * name that means something active on some other element.
 */
const CUSTOM_ATTRIBUTE = /^(?!on)[a-z][a-z0-9_.-]*$/;
const NEVER_CUSTOM = new Set([
  'srcdoc',
  'formaction',
  'action',
  'target',
  'ping',
  'http-equiv',
  'is',
  'sandbox',
  'allow',
]);

function isAllowedName(space: Namespace, name: string, tag: string): boolean {
  if (DATA_OR_ARIA.test(name)) return true;
  if (space === 'svg') return SVG_ATTRIBUTES.has(name);
  if (space === 'math') return MATH_ATTRIBUTES.has(name);
  if (HTML_ATTRIBUTES.has(name)) return true;
  // No custom element is defined in the console, so its own attributes do nothing there but
  // what the page's styles select (`:host([done])`, `todo-item[selected]`).
  return CUSTOM_ELEMENT.test(tag) && CUSTOM_ATTRIBUTE.test(name) && !NEVER_CUSTOM.has(name);
}

/**
 * The value to keep for attribute `name` on an element of `kind` (`html:img`), or null to drop
 * it. Names compare in lower case; event handlers, `srcdoc`, form targets and frame sources are
 * never on the list.
 */
export function sanitizeAttribute(
  kind: string,
  name: string,
  value: string,
  base: string | undefined,
): string | null {
  const space = kind.slice(0, kind.indexOf(':')) as Namespace;
  const lower = name.toLowerCase();
  if (!isAllowedName(space, lower, kind.slice(space.length + 1))) return null;
  // The console builds frames (and canvas stand-ins) itself; a page's frame source, sandbox or
  // stand-in image must never apply.
  if (space === 'html' && isConsoleOwnedAttribute(kind.slice(5), lower)) return null;
  // Inert without http-equiv (never kept), but a refresh target has no business here either.
  if (kind === 'html:meta' && lower === 'content') {
    return value.length > 1024 || /url\s*=|[a-z]script:/i.test(value) ? null : value;
  }
  if (lower === 'style') return sanitizeCss(value);
  if (SRCSET_ATTRIBUTES.has(lower)) return sanitizeSrcset(value, base);
  if (URL_ATTRIBUTES.has(lower)) {
    if (FRAGMENT_ONLY.has(kind)) return value.trim().startsWith('#') ? value.trim() : null;
    const urlKind: UrlKind = IMAGE_ELEMENTS.has(kind) ? 'image' : 'link';
    return sanitizeUrl(value, urlKind, base);
  }
  // SVG presentation attributes can hold `url(...)`: they are CSS values.
  // A function (`url(`, `u\72l(`, `expression(`) needs a `(`; an escape may hide its name.
  if (space === 'svg' && /[(\\]/.test(value)) return sanitizeCss(value);
  return value;
}

function sanitizeAttributes(kind: string, attrs: Record<string, string>, base: string | undefined) {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(attrs)) {
    const safe = sanitizeAttribute(kind, name, value, base);
    if (safe !== null) out[name] = safe;
  }
  return out;
}

export function sanitizeText(
  node: TextNode,
  ctx: SanitizeContext,
  parent: number | null,
): TextNode {
  ctx.keep(node.id, { kind: '#text' }, parent);
  return { type: 'text', id: node.id, text: node.text };
}

/** A sanitized copy of `node`, or null when it is dropped with its subtree. */
export function sanitizeNode(
  node: SerializedNode,
  ctx: SanitizeContext,
  parent: number | null,
): SerializedNode | null {
  return node.type === 'text'
    ? sanitizeText(node, ctx, parent)
    : sanitizeElement(node, ctx, parent);
}

function sanitizeChildren(
  nodes: SerializedNode[],
  ctx: SanitizeContext,
  parent: number,
): SerializedNode[] {
  const out: SerializedNode[] = [];
  for (const child of nodes) {
    const safe = sanitizeNode(child, ctx, parent);
    if (safe) out.push(safe);
  }
  return out;
}

export function sanitizeElement(
  node: ElementNode,
  ctx: SanitizeContext,
  parent: number | null,
): ElementNode | null {
  const tag = sanitizeTag(node.tag, node.ns, node.attrs);
  if (tag === null) return null;
  const space = namespaceOf(node.ns);
  const kind = `${space}:${tag}`;
  ctx.keep(node.id, { kind }, parent);
  const isStyle = tag === 'style';
  const out: ElementNode = {
    type: 'element',
    id: node.id,
    tag,
    attrs: sanitizeAttributes(kind, node.attrs, ctx.base),
    // A <style>'s text would become CSS no one checked; its rules travel in `css`, sanitized.
    children: isStyle ? [] : sanitizeChildren(node.children, ctx, node.id),
  };
  if (node.ns) out.ns = node.ns;
  if (node.shadow) out.shadow = sanitizeChildren(node.shadow, ctx, node.id);
  if (node.frame && kind === 'html:iframe') out.frame = sanitizeDocument(node.frame, ctx, node.id);
  if (node.value !== undefined) out.value = node.value;
  if (node.checked !== undefined) out.checked = node.checked;
  if (node.selected !== undefined) out.selected = node.selected;
  if (node.scroll) out.scroll = { ...node.scroll };
  if (isStyle && node.css !== undefined) {
    const css = sanitizeCss(node.css);
    if (css !== null) out.css = css;
  }
  if (node.canvas !== undefined && kind === 'html:canvas' && isElementImage(kind, node.canvas)) {
    out.canvas = node.canvas;
  }
  return out;
}

export function sanitizeDocument(
  doc: DocumentNode,
  ctx: SanitizeContext,
  parent: number | null,
): DocumentNode {
  ctx.keep(doc.id, { kind: '#document' }, parent);
  const out: DocumentNode = {
    type: 'document',
    id: doc.id,
    children: sanitizeChildren(doc.children, ctx, doc.id),
  };
  if (doc.scroll) out.scroll = { ...doc.scroll };
  return out;
}

export { sanitizeCss };
