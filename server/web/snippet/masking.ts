/**
 * What the snippet masks before anything is serialized. Masked values are replaced by a string of
 * `•` of the same length, so the agent sees that something was typed but never what. This module
 * is the single place that decides; a later change turns these rules into configurable DOM
 * restrictions, so callers must ask here rather than test attributes themselves.
 */

/** Elements (and their descendants) the site marks as sensitive. */
export const MASK_ATTRIBUTE = 'data-tandem-mask';
const MASK_SELECTOR = `[${MASK_ATTRIBUTE}]`;
export const MASK_CHARACTER = '•';

/** `autocomplete` tokens that identify secrets even when the field is not `type=password`. */
const SENSITIVE_AUTOCOMPLETE = new Set([
  'cc-number',
  'cc-csc',
  'cc-exp',
  'one-time-code',
  'current-password',
  'new-password',
]);

/** Replaces every character by `•`, keeping the length. */
export function maskValue(value: string): string {
  return MASK_CHARACTER.repeat(value.length);
}

function hasSensitiveAutocomplete(el: Element): boolean {
  const tokens = (el.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/);
  return tokens.some((token) => SENSITIVE_AUTOCOMPLETE.has(token));
}

/** Whether a form field's value (property and `value` attribute) must be masked. */
export function isMaskedField(el: Element): boolean {
  const tag = el.localName;
  if (tag === 'input' && (el.getAttribute('type') ?? '').toLowerCase() === 'password') return true;
  if ((tag === 'input' || tag === 'textarea') && hasSensitiveAutocomplete(el)) return true;
  return el.closest(MASK_SELECTOR) !== null;
}

/** Whether a text node's content must be masked: inside a marked element or a masked textarea. */
export function isMaskedText(text: Text): boolean {
  const parent = text.parentElement;
  if (!parent) return false;
  if (parent.localName === 'textarea') return isMaskedField(parent);
  return parent.closest(MASK_SELECTOR) !== null;
}

/** The value to serialize for a form field's live value. */
export function fieldValue(el: Element, value: string): string {
  return isMaskedField(el) ? maskValue(value) : value;
}

/** The value to serialize for an attribute; the `value` attribute of a masked field is masked. */
export function attributeValue(el: Element, name: string, value: string): string {
  return name === 'value' && isMaskedField(el) ? maskValue(value) : value;
}

/** The text to serialize for a text node. */
export function textValue(text: Text): string {
  const data = text.data;
  return isMaskedText(text) ? maskValue(data) : data;
}
