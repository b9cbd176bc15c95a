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

/** Names seen before and whether the protocol accepts them: pages repeat a few names a lot. */
const nameVerdicts = new Map<string, boolean>();

function isSentName(name: string): boolean {
  let ok = nameVerdicts.get(name);
  if (ok === undefined) {
    const lower = name.toLowerCase();
    ok =
      name.length <= LIMITS.maxAttributeNameLength &&
      ATTRIBUTE_NAME.test(name) &&
      !lower.startsWith('on') &&
      !DROPPED.has(lower);
    if (nameVerdicts.size < 4096) nameVerdicts.set(name, ok);
  }
  return ok;
}

/**
 * The value to send for `name` on `el`, or `null` when the attribute is not sent at all:
 * event handlers, script URLs, oversized values, and names the protocol does not accept.
 * `masked` is the element's masking when the caller already knows it (the snapshot walk).
 */
export function serializeAttribute(
  el: Element,
  name: string,
  value: string,
  masked?: boolean,
): string | null {
  if (!isSentName(name)) return null;
  const lower = name.toLowerCase();
  let out = attributeValue(el, lower, value, masked);
  // baseURI is computed on each read: only the attributes that hold URLs pay for it.
  if (isUrlAttribute(lower)) {
    if (isScriptUrl(out)) return null;
    out = absoluteUrl(out, el.baseURI);
  } else if (lower === 'srcset' || lower === 'imagesrcset') {
    out = absoluteSrcset(out, el.baseURI);
  } else if (lower === 'style') {
    out = absoluteCssUrls(out, el.baseURI);
  }
  return out.length > LIMITS.maxStringLength ? null : out;
}

/** All attributes of `el` that are sent, in document order. */
export function serializeAttributes(el: Element, masked?: boolean): Record<string, string> {
  // No prototype: an attribute named `__proto__` must stay an ordinary key.
  const attrs = Object.create(null) as Record<string, string>;
  const list = el.attributes;
  let count = 0;
  for (let i = 0; i < list.length && count < LIMITS.maxAttributesPerElement; i++) {
    const attr = list[i];
    if (!attr) continue;
    const value = serializeAttribute(el, attr.name, attr.value, masked);
    if (value === null) continue;
    attrs[attr.name] = value;
    count += 1;
  }
  return attrs;
}
