/**
 * What the console refuses to build, whatever the server sent. The server sanitizes and the frame
 * runs no scripts; this is the third layer and must hold on its own.
 */
import { isConsoleOwnedAttribute } from '../../src/protocol/owned-attributes.ts';

/** Elements never created: scripts, plugins, and what could navigate or re-base the frame. */
const BLOCKED_TAGS = new Set([
  'script',
  'noscript',
  'base',
  'object',
  'embed',
  'applet',
  'frame',
  'frameset',
  'portal',
]);

const URL_ATTRIBUTES = new Set([
  'src',
  'href',
  'xlink:href',
  'action',
  'formaction',
  'poster',
  'data',
]);

export function isScriptUrl(value: string): boolean {
  // Browsers ignore whitespace and control characters inside the scheme.
  const compact = value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
  return (
    compact.startsWith('javascript:') ||
    compact.startsWith('vbscript:') ||
    compact.startsWith('data:text/html')
  );
}

/** Whether an element with this tag and attributes may be created. */
export function isAllowedElement(tag: string, attrs: Record<string, string>): boolean {
  if (BLOCKED_TAGS.has(tag)) return false;
  if (tag === 'meta' && 'http-equiv' in attrs) return false; // meta refresh navigates.
  if (tag === 'link') return /\b(stylesheet|icon)\b/i.test(attrs.rel ?? '');
  if (
    (tag === 'set' || tag === 'animate') &&
    /href/i.test(attrs.attributename ?? attrs.attributeName ?? '')
  ) {
    return false; // SVG animation can turn a link into a script URL.
  }
  return true;
}

/**
 * Whether an attribute may be set; `tag` is the lower-case local name of an HTML element
 * (`canvas` for a canvas's stand-in image), or null for SVG and MathML.
 */
export function isAllowedAttribute(tag: string | null, name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower.startsWith('on') || lower === 'srcdoc') return false;
  // The console sets a frame's src and sandbox (and a stand-in's image) itself.
  if (tag !== null && isConsoleOwnedAttribute(tag, lower)) return false;
  if ((URL_ATTRIBUTES.has(lower) || lower === 'srcset') && isScriptUrl(value)) return false;
  return true;
}

/** Whether a page operation may remove an attribute: never one the console owns. */
export function isAllowedRemoval(tag: string | null, name: string): boolean {
  return tag === null || !isConsoleOwnedAttribute(tag, name);
}
