/**
 * Finding what the agent points at on the rebuilt page: the element under a point of the overlay,
 * through nested frames (all same-origin, so `elementFromPoint` works), and the nearest node the
 * serialized tree named.
 */
import type { NodeId } from '../../src/protocol/index.ts';

/** The element of the rebuilt page under a point of `overlay`, at the view's `scale`. */
export function hitTest(
  overlay: HTMLElement,
  frame: HTMLIFrameElement,
  scale: number,
  clientX: number,
  clientY: number,
): Element | null {
  const rect = overlay.getBoundingClientRect();
  let x = (clientX - rect.left) / scale;
  let y = (clientY - rect.top) / scale;
  let doc = frame.contentDocument;
  let hit: Element | null = null;
  for (let depth = 0; doc && depth < 8; depth++) {
    hit = doc.elementFromPoint(x, y);
    if (!hit || hit.localName !== 'iframe') break;
    const inner = (hit as HTMLIFrameElement).contentDocument;
    if (!inner) break;
    const frameRect = hit.getBoundingClientRect();
    x -= frameRect.left + hit.clientLeft;
    y -= frameRect.top + hit.clientTop;
    doc = inner;
  }
  return hit;
}

/** The nearest node with an id, from `node` up. */
export function nearestId(
  node: Node | null,
  idOf: (node: Node) => NodeId | undefined,
): NodeId | undefined {
  for (let current = node; current; current = current.parentNode) {
    const id = idOf(current);
    if (id !== undefined) return id;
  }
  return undefined;
}
