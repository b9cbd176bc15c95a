/**
 * Whether this page pauses co-browsing: its URL matches `session.pausePages`, or the page marks
 * itself with `data-tandem-pause` (on any element, the root included).
 */
import { matchesPausePage } from '../../src/protocol/index.ts';

export function isPausePage(doc: Document, patterns: readonly string[]): boolean {
  if (matchesPausePage(doc.location.href, patterns)) return true;
  return doc.querySelector('[data-tandem-pause]') !== null;
}
