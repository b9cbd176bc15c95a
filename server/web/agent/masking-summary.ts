/**
 * How much of the customer's page is kept from the agent, counted on the rebuilt page: masked
 * fields, hidden areas and read-only elements. Only counts: what a masked field holds never
 * reached the console, and nothing here looks for it.
 */
import type { DomRestrictions } from '../../src/protocol/index.ts';
import { HIDDEN_PLACEHOLDER_ATTRIBUTE } from '../../src/protocol/restrictions.ts';

export interface MaskingCounts {
  masked: number;
  hidden: number;
  readOnly: number;
}

const FIELDS = 'input:not([type="hidden" i]), textarea, select, [contenteditable]';

function joined(selectors: readonly string[]): string | null {
  return selectors.length > 0 ? selectors.join(', ') : null;
}

/** Whether `el` (or an ancestor) matches `selector`; a selector the browser rejects matches nothing. */
function within(el: Element, selector: string | null): boolean {
  if (selector === null) return false;
  try {
    return el.closest(selector) !== null;
  } catch {
    return false;
  }
}

/** Whether an element of the rebuilt page is masked or stands for a hidden one. */
export function isRestrictedElement(el: Element, rules: DomRestrictions): boolean {
  return (
    within(el, `[${HIDDEN_PLACEHOLDER_ATTRIBUTE}]`) ||
    within(el, joined(rules.mask)) ||
    within(el, joined(rules.hide))
  );
}

/** Counts through open shadow roots and frames of the rebuilt page. */
export function countRestrictions(root: Document, rules: DomRestrictions): MaskingCounts {
  const counts: MaskingCounts = { masked: 0, hidden: 0, readOnly: 0 };
  const mask = joined(rules.mask);
  const readOnly = joined(rules.readOnly);
  const scopes: Array<Document | ShadowRoot> = [root];
  for (let scope = scopes.pop(); scope; scope = scopes.pop()) {
    for (const el of scope.querySelectorAll('*')) {
      if (el.shadowRoot) scopes.push(el.shadowRoot);
      if (el.localName === 'iframe') {
        const inner = (el as HTMLIFrameElement).contentDocument;
        if (inner) scopes.push(inner);
      }
      if (el.hasAttribute(HIDDEN_PLACEHOLDER_ATTRIBUTE)) counts.hidden += 1;
      else if (el.matches(FIELDS) && within(el, mask)) counts.masked += 1;
      if (readOnly !== null && safeMatches(el, readOnly)) counts.readOnly += 1;
    }
  }
  return counts;
}

function safeMatches(el: Element, selector: string): boolean {
  try {
    return el.matches(selector);
  } catch {
    return false;
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 fields masked · 1 area hidden · 1 read-only element", or "Nothing masked". */
export function describeMasking(counts: MaskingCounts): string {
  const parts: string[] = [];
  if (counts.masked > 0) parts.push(`${plural(counts.masked, 'field', 'fields')} masked`);
  if (counts.hidden > 0) parts.push(`${plural(counts.hidden, 'area', 'areas')} hidden`);
  if (counts.readOnly > 0)
    parts.push(plural(counts.readOnly, 'read-only element', 'read-only elements'));
  return parts.length > 0 ? parts.join(' · ') : 'Nothing masked';
}
