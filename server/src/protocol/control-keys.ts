/**
 * Keys an agent in control may press: one printable character, or one of the named keys. The
 * console sends only these and the server refuses any other.
 */
export const NAMED_KEYS = [
  'Backspace',
  'Delete',
  'Enter',
  'Tab',
  'Escape',
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'Home',
  'End',
] as const;

/** One printable character (a code point, not a control character) or a named key. */
export function isAllowedKey(key: string): boolean {
  if ((NAMED_KEYS as readonly string[]).includes(key)) return true;
  // Control characters are what a single typed character must not be.
  // eslint-disable-next-line no-control-regex
  return [...key].length === 1 && !/[\u0000-\u001f\u007f-\u009f]/.test(key);
}
