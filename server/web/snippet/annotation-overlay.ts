/**
 * The agents' drawings on the customer's page: boxes around elements and freehand strokes that
 * fade. They are drawn in an SVG inside the widget's closed shadow root, over the page and never
 * part of it: the page's DOM is not touched, the recorder never sees them, and clicks go through.
 */
import type { Annotation, NodeId } from '../../src/protocol/index.ts';
import { ANNOTATION_LIMITS, HIGHLIGHT_MS, STROKE_FADE_MS } from '../../src/protocol/index.ts';
import { guard } from './guard.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

export const ANNOTATION_CSS = `
.annotations { position: fixed; inset: 0; width: 100vw; height: 100vh; pointer-events: none; z-index: 2147483646; overflow: visible; }
.annotations .highlight { fill: rgba(255, 209, 102, 0.18); stroke: #e63946; stroke-width: 3; rx: 6; }
.annotations .stroke { fill: none; stroke: #e63946; stroke-width: 4; stroke-linecap: round; stroke-linejoin: round; }
.annotations .fading { transition: opacity 1500ms linear; opacity: 0; }
.annotations .tag { fill: #e63946; }
.annotations .tag-text { fill: #fff; font: 12px system-ui, sans-serif; }
`;

export interface AnnotationOverlay {
  show(annotation: Annotation): void;
  /** Takes away one agent's drawings, or everyone's (null). */
  clear(agentId: string | null): void;
  /** How many drawings are on the page now. */
  readonly count: number;
  remove(): void;
}

export interface AnnotationOverlayOptions {
  doc: Document;
  /** Where the SVG goes (inside the widget's shadow root). */
  parent: ShadowRoot | HTMLElement;
  /** The element the recorder named `id`, if it is still on the page. */
  findElement(id: NodeId): Element | null;
  /** The number of drawings changed; `by` names who drew the last one shown. */
  changed(count: number, by: string | null): void;
  /** Draw into this SVG rather than a new one (the agent console's layer over its view). */
  svg?: SVGSVGElement;
  /** The window whose document the drawings belong to (its scroll moves them). Default: `doc`'s. */
  view?: Window;
  /** CSS pixels of the drawing surface per CSS pixel of the page. Default 1. */
  scale?: () => number;
}

interface Drawn {
  annotation: Annotation;
  node: SVGElement;
  timers: Array<ReturnType<typeof setTimeout>>;
}

export function createAnnotationOverlay(options: AnnotationOverlayOptions): AnnotationOverlay {
  const { doc, parent, findElement, changed } = options;
  // Timers run in the drawing's own window: a sandboxed view without scripts may run none.
  const clock = doc.defaultView ?? window;
  const view = options.view ?? clock;
  const owned = options.svg === undefined;
  const svg = options.svg ?? doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'annotations');
  svg.setAttribute('aria-hidden', 'true');
  const layer = doc.createElementNS(SVG_NS, 'g');
  svg.append(layer);
  if (owned) parent.append(svg);
  const drawn = new Map<string, Drawn>();
  let frame = 0;

  /** Strokes are in document coordinates: the layer moves with the page's scroll. */
  const place = (): void => {
    frame = 0;
    const scale = options.scale?.() ?? 1;
    const shift = `translate(${-view.scrollX} ${-view.scrollY})`;
    layer.setAttribute('transform', scale === 1 ? shift : `scale(${scale}) ${shift}`);
    for (const entry of drawn.values()) {
      if (entry.annotation.shape.kind !== 'highlight') continue;
      const el = findElement(entry.annotation.shape.target);
      const rect = el?.getBoundingClientRect();
      const box = entry.node.firstChild as SVGRectElement | null;
      if (!rect || !box || (rect.width === 0 && rect.height === 0)) {
        entry.node.setAttribute('visibility', 'hidden');
        continue;
      }
      entry.node.removeAttribute('visibility');
      const pad = 4;
      box.setAttribute('x', String(rect.left + view.scrollX - pad));
      box.setAttribute('y', String(rect.top + view.scrollY - pad));
      box.setAttribute('width', String(rect.width + 2 * pad));
      box.setAttribute('height', String(rect.height + 2 * pad));
    }
  };
  const placeSoon = guard((): void => {
    if (frame === 0) frame = clock.requestAnimationFrame(guard(place));
  });
  view.addEventListener('scroll', placeSoon, { capture: true, passive: true });
  view.addEventListener('resize', placeSoon, { passive: true });
  // Layout changes that fire no event (content loading, script) move highlighted elements too.
  const tick = clock.setInterval(placeSoon, 500);

  const drop = (id: string): void => {
    const entry = drawn.get(id);
    if (!entry) return;
    for (const timer of entry.timers) clearTimeout(timer);
    entry.node.remove();
    drawn.delete(id);
  };

  const build = (annotation: Annotation): SVGElement => {
    const group = doc.createElementNS(SVG_NS, 'g');
    const shape = annotation.shape;
    if (shape.kind === 'highlight') {
      const rect = doc.createElementNS(SVG_NS, 'rect');
      rect.setAttribute('class', 'highlight');
      group.append(rect);
    } else {
      const line = doc.createElementNS(SVG_NS, 'polyline');
      line.setAttribute('class', 'stroke');
      const pairs: string[] = [];
      for (let i = 0; i + 1 < shape.points.length; i += 2)
        pairs.push(`${shape.points[i]},${shape.points[i + 1]}`);
      line.setAttribute('points', pairs.join(' '));
      group.append(line);
    }
    return group;
  };

  return {
    show(annotation) {
      drop(annotation.id);
      // One agent keeps at most so many drawings: the oldest goes first.
      const mine = [...drawn.values()].filter((d) => d.annotation.agentId === annotation.agentId);
      while (mine.length >= ANNOTATION_LIMITS.maxPerAgent) drop(mine.shift()!.annotation.id);
      const node = build(annotation);
      layer.append(node);
      const entry: Drawn = { annotation, node, timers: [] };
      drawn.set(annotation.id, entry);
      const lasts = annotation.shape.kind === 'stroke' ? STROKE_FADE_MS : HIGHLIGHT_MS;
      entry.timers.push(
        setTimeout(
          guard(() => node.setAttribute('class', 'fading')),
          Math.max(0, lasts - 1500),
        ),
        setTimeout(
          guard(() => {
            drop(annotation.id);
            changed(drawn.size, null);
          }),
          lasts,
        ),
      );
      place();
      changed(drawn.size, annotation.name);
    },
    clear(agentId) {
      for (const [id, entry] of [...drawn])
        if (agentId === null || entry.annotation.agentId === agentId) drop(id);
      changed(drawn.size, null);
    },
    get count() {
      return drawn.size;
    },
    remove() {
      for (const id of [...drawn.keys()]) drop(id);
      view.removeEventListener('scroll', placeSoon, { capture: true });
      view.removeEventListener('resize', placeSoon);
      clock.clearInterval(tick);
      if (frame !== 0) clock.cancelAnimationFrame(frame);
      if (owned) svg.remove();
      else layer.remove();
    },
  };
}
