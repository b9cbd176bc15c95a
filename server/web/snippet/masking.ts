/**
 * The DOM restrictions on the customer's side: what is masked, hidden or read-only, decided
 * before anything is serialized. The rules start as the safe built-ins (password, card, CVC and
 * one-time-code fields; `data-tandem-mask`, `data-tandem-hide`, `data-tandem-readonly`) and are
 * replaced by the server's in the start/resume ack, before the first snapshot is sent. This module
 * is the single place that decides; callers ask here rather than test attributes themselves.
 *
 * A restriction covers the element and everything inside it, through open shadow roots and
 * same-origin frames. Selectors are evaluated with the browser's own `matches`; the server
 * evaluates the same ones (a subset it validated at start) on what it receives.
 */
import {
  DEFAULT_RESTRICTIONS,
  HIDDEN_PLACEHOLDER_ATTRIBUTE,
  MASK_CHARACTER,
  MASKED_ATTRIBUTES,
  maskString,
  type DomRestrictions,
  type ElementNode,
} from '../../src/protocol/index.ts';
import { report } from './guard.ts';

export { MASK_CHARACTER };

interface ActiveRules {
  rules: DomRestrictions;
  /** Each list joined into one selector (for `closest`), or null when empty. */
  mask: string | null;
  hide: string | null;
  readOnly: string | null;
  /** Mask and hide together (for noticing newly restricted elements), or null. */
  restricted: string | null;
  /** Every selector, lower-cased, to tell which attributes they test. */
  tested: string[];
}

const MASKED = new Set(MASKED_ATTRIBUTES);

function isValidSelector(selector: string): boolean {
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

function join(selectors: readonly string[]): string | null {
  const valid = selectors.filter(isValidSelector);
  if (valid.length < selectors.length)
    report('ignored a restriction selector this browser rejects');
  return valid.length > 0 ? valid.join(', ') : null;
}

function activate(rules: DomRestrictions): ActiveRules {
  const mask = join(rules.mask);
  const hide = join(rules.hide);
  const parts = [mask, hide].filter((s): s is string => s !== null);
  return {
    rules,
    mask,
    hide,
    readOnly: join(rules.readOnly),
    restricted: parts.length > 0 ? parts.join(', ') : null,
    tested: [...rules.mask, ...rules.hide, ...rules.readOnly].map((s) => s.toLowerCase()),
  };
}

let active = activate(DEFAULT_RESTRICTIONS);

const strings = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;

/**
 * Replaces the rules with the server's (from the ack). The built-ins always stay: rules that do
 * not parse leave the built-ins in force rather than nothing.
 */
export function setRestrictions(input: unknown): void {
  const obj = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const base = DEFAULT_RESTRICTIONS;
  const union = (extra: string[] | null, builtIn: string[]): string[] => [
    ...new Set([...builtIn, ...(extra ?? [])]),
  ];
  const length = obj.fixedMaskLength;
  active = activate({
    mask: union(strings(obj.mask), base.mask),
    hide: union(strings(obj.hide), base.hide),
    readOnly: union(strings(obj.readOnly), base.readOnly),
    maskMode: obj.maskMode === 'fixed' ? 'fixed' : 'length',
    fixedMaskLength:
      typeof length === 'number' && Number.isInteger(length) && length > 0 && length <= 64
        ? length
        : base.fixedMaskLength,
  });
}

/** The rules in force (for tests and diagnostics). */
export function currentRestrictions(): DomRestrictions {
  return active.rules;
}

/** The element that hosts `el`'s tree: a shadow host, or the `<iframe>` of a same-origin frame. */
function hostOf(el: Element): Element | null {
  const root = el.getRootNode();
  if ((root as ShadowRoot).host) return (root as ShadowRoot).host;
  try {
    return (root as Document).defaultView?.frameElement ?? null;
  } catch {
    return null;
  }
}

/** Whether `el` or any element around it, across shadow roots and frames, matches `selector`. */
function isWithin(el: Element, selector: string | null): boolean {
  if (selector === null) return false;
  for (let cur: Element | null = el; cur; cur = hostOf(cur)) {
    try {
      if (cur.closest(selector)) return true;
    } catch {
      return true; // A selector the browser cannot evaluate: fail closed.
    }
  }
  return false;
}

/**
 * Whether the element itself matches a mask rule. The snapshot walks top-down and inherits the
 * parent's answer, so it asks this of each element once instead of `closest` from every node.
 */
export function matchesMask(el: Element): boolean {
  if (active.mask === null) return false;
  try {
    return el.matches(active.mask);
  } catch {
    return true; // A selector the browser cannot evaluate: fail closed.
  }
}

/** Whether the element itself is hidden (shown as an empty box). */
export function isHiddenElement(el: Element): boolean {
  if (active.hide === null) return false;
  try {
    return el.matches(active.hide) || el.hasAttribute(HIDDEN_PLACEHOLDER_ATTRIBUTE);
  } catch {
    return true;
  }
}

/** Whether `node` lies inside a hidden element (and so must never be sent at all). */
export function isInsideHidden(node: Node): boolean {
  const parent = node.parentNode;
  if (!parent) return false;
  const el = parent.nodeType === Node.DOCUMENT_FRAGMENT_NODE ? (parent as ShadowRoot).host : parent;
  return el.nodeType === Node.ELEMENT_NODE && isWithin(el as Element, active.hide);
}

/** Whether an element's value, text and descriptive attributes are masked. */
export function isMaskedElement(el: Element): boolean {
  return isWithin(el, active.mask) || isWithin(el, active.hide);
}

/** Whether the agent must never click or type on `node` (or inside it). */
export function isReadOnlyNode(node: Node): boolean {
  const el = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  return el !== null && isWithin(el, active.readOnly);
}

/** Whether a form field's value (property and `value` attribute) must be masked. */
export const isMaskedField = isMaskedElement;

/** Whether a text node's content must be masked. */
export function isMaskedText(text: Text): boolean {
  const parent = text.parentElement ?? (text.parentNode as ShadowRoot | null)?.host ?? null;
  return parent !== null && isMaskedElement(parent);
}

/** Whether the element or anything around it is masked or hidden: the walk's starting state. */
export function isMaskedContext(el: Element | null): boolean {
  return el !== null && isMaskedElement(el);
}

/** Replaces `value` by mask characters, as configured (its length, or a fixed one). */
export function maskValue(value: string): string {
  return maskString(value, active.rules);
}

/** The value to serialize for a form field's live value (`masked`: when already known). */
export function fieldValue(el: Element, value: string, masked?: boolean): string {
  return (masked ?? isMaskedField(el)) ? maskValue(value) : value;
}

/** The value to serialize for an attribute: descriptive attributes of a masked element are masked. */
export function attributeValue(el: Element, name: string, value: string, masked?: boolean): string {
  if (!MASKED.has(name.toLowerCase())) return value;
  return (masked ?? isMaskedElement(el)) ? maskValue(value) : value;
}

/** The text to serialize for a text node (`masked`: its parent's masking, when known). */
export function textValue(text: Text, masked?: boolean): string {
  const data = text.data;
  return (masked ?? isMaskedText(text)) ? maskValue(data) : data;
}

/** Whether changing attribute `name` can change which elements the rules match. */
export function isTestedAttribute(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'class' || lower === 'id' || lower.startsWith('data-tandem')) return true;
  return active.tested.some((selector) => selector.includes(lower));
}

/** The selectors of masked and hidden elements, to find what an attribute change restricted. */
export function restrictedSelector(): string | null {
  return active.restricted;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The empty box sent instead of a hidden element: same id, same size, nothing inside. */
export function hiddenBox(el: Element, id: number): ElementNode {
  const attrs = Object.create(null) as Record<string, string>;
  attrs[HIDDEN_PLACEHOLDER_ATTRIBUTE] = '';
  if (el.namespaceURI === SVG_NS)
    return { type: 'element', id, tag: 'g', ns: 'svg', attrs, children: [] };
  const rect = el.getBoundingClientRect();
  const display = el.ownerDocument.defaultView?.getComputedStyle(el).display ?? 'block';
  const inline = display.startsWith('inline');
  const shown = display === 'none' ? 'none' : inline ? 'inline-block' : 'block';
  attrs.style = `display: ${shown}; width: ${Math.round(rect.width)}px; height: ${Math.round(rect.height)}px`;
  return { type: 'element', id, tag: inline ? 'span' : 'div', attrs, children: [] };
}
