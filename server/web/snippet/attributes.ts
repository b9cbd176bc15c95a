/**
 * Which attributes leave the page, and in what form. Used by the snapshot and by attribute
 * mutations so that both apply exactly the same rules.
 */
import { LIMITS } from '../../src/protocol/index.ts';
import { attributeValue } from './masking.ts';
import {
  absoluteCssUrls,
  absoluteSrcset,
  absoluteUrl,
  isScriptUrl,
  isUrlAttribute,
} from './urls.ts';

/** The protocol's attribute-name grammar; anything else would get the whole message refused. */
const ATTRIBUTE_NAME = /^[^\s"'>/=\p{Cc}]+$/u;

/** Attributes that are never useful to the agent and only widen what must be sanitized. */
const DROPPED = new Set(['srcdoc', 'nonce', 'integrity']);

/**
 * The value to send for `name` on `el`, or `null` when the attribute is not sent at all:
 * event handlers, script URLs, oversized values, and names the protocol does not accept.
 */
export function serializeAttribute(el: Element, name: string, value: string): string | null {
  if (name.length > LIMITS.maxAttributeNameLength || !ATTRIBUTE_NAME.test(name)) return null;
  const lower = name.toLowerCase();
  if (lower.startsWith('on') || DROPPED.has(lower)) return null;
  const base = el.baseURI;
  let out = attributeValue(el, lower, value);
  if (isUrlAttribute(lower)) {
    if (isScriptUrl(out)) return null;
    out = absoluteUrl(out, base);
  } else if (lower === 'srcset' || lower === 'imagesrcset') {
    out = absoluteSrcset(out, base);
  } else if (lower === 'style') {
    out = absoluteCssUrls(out, base);
  }
  return out.length > LIMITS.maxStringLength ? null : out;
}

/** All attributes of `el` that are sent, in document order. */
export function serializeAttributes(el: Element): Record<string, string> {
  // No prototype: an attribute named `__proto__` must stay an ordinary key.
  const attrs = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const attr of Array.from(el.attributes)) {
    if (count >= LIMITS.maxAttributesPerElement) break;
    const value = serializeAttribute(el, attr.name, attr.value);
    if (value === null) continue;
    attrs[attr.name] = value;
    count += 1;
  }
  return attrs;
}
