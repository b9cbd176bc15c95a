/**
 * Notices when a change to the page makes an element newly masked or hidden (a class added, a
 * `data-tandem-mask` set by script): what the agent already has of it is then stale and
 * unmasked, so the recorder sends the element again, restricted. Elements that matched a rule
 * when they were serialized are remembered; a match that was not remembered is new.
 */
import { restrictedSelector } from './masking.ts';

const restrictedWhenSent = new WeakSet<Element>();

function matches(el: Element, selector: string): boolean {
  try {
    return el.matches(selector);
  } catch {
    return false;
  }
}

/** The snapshot walk already knows a rule matched `el`: remember it without matching again. */
export function noteRestricted(el: Element): void {
  restrictedWhenSent.add(el);
}

/** Called for every element serialized: remembers whether a rule matched it then. */
export function noteSerialized(el: Element): void {
  const selector = restrictedSelector();
  if (selector !== null && matches(el, selector)) restrictedWhenSent.add(el);
}

/** Whether `el` or an element inside it matches a mask or hide rule it did not match when sent. */
export function isNewlyRestricted(el: Element): boolean {
  const selector = restrictedSelector();
  if (selector === null) return false;
  if (matches(el, selector) && !restrictedWhenSent.has(el)) return true;
  let found: NodeListOf<Element>;
  try {
    found = el.querySelectorAll(selector);
  } catch {
    return false;
  }
  return Array.from(found).some((inner) => !restrictedWhenSent.has(inner));
}
