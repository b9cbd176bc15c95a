/**
 * The console's drawing tools: Point (the default; clicks belong to control when it is granted),
 * Highlight (a click puts a box around the element under it) and Draw (a freehand stroke that
 * fades). Neither needs control: the monitor privilege is enough, and the server checks it. The
 * drawings of every agent of the session are shown over the view in the same overlay code the
 * customer's widget uses, so both sides draw the same thing in the same place.
 */
import type {
  Annotation,
  AnnotationDraw,
  AnnotationsCleared,
  NodeId,
} from '../../src/protocol/index.ts';
import { ANNOTATION_LIMITS } from '../../src/protocol/index.ts';
import { createAnnotationOverlay, type AnnotationOverlay } from '../snippet/annotation-overlay.ts';
import { hitTest, nearestId } from './hit-test.ts';

export type Tool = 'point' | 'highlight' | 'draw';

export interface AnnotationSink {
  sendAnnotation(draw: AnnotationDraw): void;
  clearAnnotations(): void;
  /** This console's participant id, once joined. */
  readonly agentId: string | undefined;
}

export interface AnnotationToolsElements {
  /** The tool buttons, each with `data-tool`. */
  tools: HTMLButtonElement[];
  clear: HTMLButtonElement;
  overlay: HTMLElement;
  frame: HTMLIFrameElement;
  /** The SVG layer over the view. */
  layer: SVGSVGElement;
}

export interface AnnotationToolsDeps {
  idOf(node: Node): NodeId | undefined;
  node(id: NodeId): Node | undefined;
  scale(): number;
  /** The customer cleared the drawings. */
  dismissed(): void;
}

/** Least distance between two points of a stroke, in CSS pixels of the page. */
const MIN_STEP = 3;

export class AnnotationTools {
  private current: Tool = 'point';
  private sink: AnnotationSink | undefined;
  private overlay: AnnotationOverlay | undefined;
  private overlayFor: Document | undefined;
  private stroke: { id: string; points: number[] } | undefined;
  private counter = 0;

  constructor(
    private readonly el: AnnotationToolsElements,
    private readonly deps: AnnotationToolsDeps,
  ) {
    for (const button of el.tools)
      button.addEventListener('click', () => this.choose(toolOf(button)));
    el.clear.addEventListener('click', () => this.clearMine());
    el.overlay.addEventListener('click', (event) => this.onClick(event));
    el.overlay.addEventListener('pointerdown', (event) => this.onDown(event));
    el.overlay.addEventListener('pointermove', (event) => this.onMove(event));
    el.overlay.addEventListener('pointerup', () => this.finishStroke());
    el.overlay.addEventListener('pointercancel', () => this.finishStroke());
    el.overlay.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.current !== 'point') this.choose('point');
    });
    this.render();
  }

  get tool(): Tool {
    return this.current;
  }

  /** How many drawings are shown over the view (for tests and diagnostics). */
  get count(): number {
    return this.overlay?.count ?? 0;
  }

  /** A new connection (or none): the drawings of the last one go. */
  attach(sink: AnnotationSink | undefined): void {
    this.sink = sink;
    this.stroke = undefined;
    this.overlay?.clear(null);
    this.choose('point');
  }

  /** Someone drew; this console's own drawings come back too and replace the local copy. */
  show(annotation: Annotation): void {
    this.layer()?.show(annotation);
  }

  cleared({ agentId, by }: AnnotationsCleared): void {
    this.overlay?.clear(agentId);
    if (by === 'customer') this.deps.dismissed();
  }

  choose(tool: Tool): void {
    this.current = tool;
    this.render();
  }

  private render(): void {
    for (const button of this.el.tools)
      button.setAttribute('aria-pressed', String(toolOf(button) === this.current));
    this.el.overlay.dataset.tool = this.current;
  }

  /** The overlay over the frame's current document; a new one if the frame loaded another. */
  private layer(): AnnotationOverlay | undefined {
    const view = this.el.frame.contentWindow;
    const doc = this.el.frame.contentDocument;
    if (!view || !doc) return undefined;
    if (this.overlay && this.overlayFor === doc) return this.overlay;
    this.overlay?.remove();
    this.overlayFor = doc;
    const layer = this.el.layer;
    this.overlay = createAnnotationOverlay({
      doc: layer.ownerDocument,
      parent: layer.parentElement ?? layer.ownerDocument.body,
      svg: layer,
      view,
      scale: () => this.deps.scale(),
      findElement: (id) => {
        const node = this.deps.node(id);
        return node && node.nodeType === Node.ELEMENT_NODE ? (node as Element) : null;
      },
      changed: () => undefined,
    });
    return this.overlay;
  }

  private nextId(): string {
    this.counter += 1;
    return `${Date.now().toString(36)}-${this.counter}`;
  }

  private draw(draw: AnnotationDraw): void {
    const sink = this.sink;
    if (!sink?.agentId) return;
    // Shown at once; the server's echo to every agent replaces it.
    this.layer()?.show({ ...draw, agentId: sink.agentId, name: 'You' });
    sink.sendAnnotation(draw);
  }

  private clearMine(): void {
    const sink = this.sink;
    if (!sink?.agentId) return;
    this.overlay?.clear(sink.agentId);
    sink.clearAnnotations();
  }

  private onClick(event: MouseEvent): void {
    if (this.current !== 'highlight') return;
    const hit = hitTest(
      this.el.overlay,
      this.el.frame,
      this.deps.scale(),
      event.clientX,
      event.clientY,
    );
    const target = nearestId(hit, (node) => this.deps.idOf(node));
    if (target !== undefined)
      this.draw({ id: this.nextId(), shape: { kind: 'highlight', target } });
  }

  /** A point of the overlay in the page's document coordinates (whole CSS pixels). */
  private pagePoint(event: MouseEvent): [number, number] {
    const rect = this.el.overlay.getBoundingClientRect();
    const view = this.el.frame.contentWindow;
    const scale = this.deps.scale();
    const max = ANNOTATION_LIMITS.maxCoordinate;
    const clamp = (v: number): number => Math.min(max, Math.max(0, Math.round(v)));
    return [
      clamp((event.clientX - rect.left) / scale + (view?.scrollX ?? 0)),
      clamp((event.clientY - rect.top) / scale + (view?.scrollY ?? 0)),
    ];
  }

  private onDown(event: PointerEvent): void {
    if (this.current !== 'draw' || event.button !== 0) return;
    event.preventDefault();
    this.el.overlay.setPointerCapture?.(event.pointerId);
    this.stroke = { id: this.nextId(), points: this.pagePoint(event) };
  }

  private onMove(event: PointerEvent): void {
    const stroke = this.stroke;
    if (!stroke) return;
    const [x, y] = this.pagePoint(event);
    const n = stroke.points.length;
    const dx = x - (stroke.points[n - 2] ?? x);
    const dy = y - (stroke.points[n - 1] ?? y);
    if (dx * dx + dy * dy < MIN_STEP * MIN_STEP) return;
    stroke.points.push(x, y);
    if (stroke.points.length >= 2 * ANNOTATION_LIMITS.maxPoints) {
      // A long line goes as several strokes, each within the server's bound, joined end to start.
      this.finishStroke();
      this.stroke = { id: this.nextId(), points: [x, y] };
      return;
    }
    const sink = this.sink;
    if (sink?.agentId)
      this.layer()?.show({
        id: stroke.id,
        shape: { kind: 'stroke', points: [...stroke.points] },
        agentId: sink.agentId,
        name: 'You',
      });
  }

  private finishStroke(): void {
    const stroke = this.stroke;
    this.stroke = undefined;
    if (!stroke) return;
    // A click without a move is a dot: the same point twice.
    const points = stroke.points.length >= 4 ? stroke.points : [...stroke.points, ...stroke.points];
    this.draw({ id: stroke.id, shape: { kind: 'stroke', points } });
  }
}

function toolOf(button: HTMLButtonElement): Tool {
  const tool = button.dataset.tool;
  return tool === 'highlight' || tool === 'draw' ? tool : 'point';
}
