/**
 * The view of the customer's page: the sandboxed frame sized to the customer's viewport and
 * scaled to fit the stage, the customer's cursor drawn over it, and the agent's own pointer
 * reported in the customer's viewport coordinates.
 */
import type { PointerPosition, Viewport } from '../../src/protocol/index.ts';

export interface ViewerElements {
  stage: HTMLElement;
  viewport: HTMLElement;
  frame: HTMLIFrameElement;
  cursor: HTMLElement;
  overlay: HTMLElement;
}

/** Least time between two pointer messages: about 30 per second. */
const POINTER_INTERVAL_MS = 33;

export class Viewer {
  private size: Viewport = { width: 1280, height: 800 };
  private scale = 1;
  private lastPointerAt = 0;
  private pointerTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingPointer: PointerPosition | undefined;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    private readonly el: ViewerElements,
    private readonly onPointer: (pointer: PointerPosition) => void,
  ) {
    this.resizeObserver = new ResizeObserver(() => this.layout());
    this.resizeObserver.observe(el.stage);
    el.overlay.addEventListener('mousemove', (event) => this.onMouseMove(event));
  }

  /** The customer's viewport changed size. */
  setViewport(size: Viewport): void {
    this.size = { width: Math.max(1, size.width), height: Math.max(1, size.height) };
    this.layout();
  }

  /** Fits the customer's viewport into the stage, never enlarging it. */
  private layout(): void {
    const { width, height } = this.size;
    const stage = this.el.stage.getBoundingClientRect();
    this.scale = Math.min(1, stage.width / width, stage.height / height) || 1;
    const frame = this.el.frame.style;
    frame.width = `${width}px`;
    frame.height = `${height}px`;
    frame.transform = `scale(${this.scale})`;
    this.el.viewport.style.width = `${Math.round(width * this.scale)}px`;
    this.el.viewport.style.height = `${Math.round(height * this.scale)}px`;
  }

  /** Draws the customer's mouse. */
  showCustomerPointer(pointer: PointerPosition): void {
    this.el.cursor.hidden = false;
    const x = pointer.x * this.scale;
    const y = pointer.y * this.scale;
    this.el.cursor.style.transform = `translate(${x}px, ${y}px)`;
  }

  private onMouseMove(event: MouseEvent): void {
    const rect = this.el.overlay.getBoundingClientRect();
    this.pendingPointer = {
      x: Math.round((event.clientX - rect.left) / this.scale),
      y: Math.round((event.clientY - rect.top) / this.scale),
    };
    if (this.pointerTimer !== undefined) return;
    const wait = Math.max(0, this.lastPointerAt + POINTER_INTERVAL_MS - Date.now());
    this.pointerTimer = setTimeout(() => {
      this.pointerTimer = undefined;
      if (!this.pendingPointer) return;
      this.lastPointerAt = Date.now();
      this.onPointer(this.pendingPointer);
      this.pendingPointer = undefined;
    }, wait);
  }

  get currentScale(): number {
    return this.scale;
  }
}
