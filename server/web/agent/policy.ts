/**
 * What the console refuses to build, whatever the server sent. The server sanitizes and the frame
 * runs no scripts; this is the third layer and must hold on its own.
 */
import { isConsoleOwnedAttribute } from '../../src/protocol/owned-attributes.ts';

/**
 * TEST ONLY: a compile-time constant. The production build (server/build.mjs) defines it `false`,
 * so no runtime value can turn this policy off there; only a test's own bundle of the console
 * defines it `true` (test/e2e/support/unsafe-console.ts), to show that the frame's sandbox and
 * CSP hold without this layer. Unbundled (unit tests), it is not defined at all.
 */
declare const TANDEM_TEST_UNSAFE_NO_CONSOLE_POLICY: boolean | undefined;

function isPolicyOff(): boolean {
  return (
    typeof TANDEM_TEST_UNSAFE_NO_CONSOLE_POLICY === 'boolean' &&
    TANDEM_TEST_UNSAFE_NO_CONSOLE_POLICY
  );
}

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

/**
 * Attributes that hold text, never a URL: the only ones whose value is not checked for a script
 * URL. Every other attribute is (`cite`, `longdesc`, `background`, `lowsrc`... all load or
 * navigate somewhere in some browser), so a new URL attribute needs no list to be covered.
 */
const TEXT_ATTRIBUTES = new Set(['title', 'alt', 'placeholder', 'value', 'label', 'content']);

const SCRIPT_SCHEME =
  /^(?:javascript|vbscript|livescript|mocha):|^data:(?:text\/html|application\/xhtml)/;

export function isScriptUrl(value: string): boolean {
  // Browsers ignore whitespace and control characters inside the scheme.
  const compact = value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
  return SCRIPT_SCHEME.test(compact);
}

/** Whether an element with this tag and attributes may be created. */
export function isAllowedElement(tag: string, attrs: Record<string, string>): boolean {
  if (isPolicyOff()) return true;
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
  if (isPolicyOff()) return true;
  const lower = name.toLowerCase();
  if (lower.startsWith('on') || lower === 'srcdoc') return false;
  // The console sets a frame's src and sandbox (and a stand-in's image) itself.
  if (tag !== null && isConsoleOwnedAttribute(tag, lower)) return false;
  const text = TEXT_ATTRIBUTES.has(lower) || /^(?:aria|data)-/.test(lower);
  if (!text && isScriptUrl(value)) return false;
  return true;
}

/** Whether a page operation may remove an attribute: never one the console owns. */
export function isAllowedRemoval(tag: string | null, name: string): boolean {
  return isPolicyOff() || tag === null || !isConsoleOwnedAttribute(tag, name);
}
