/**
 * Control from the console: a button asks the customer for control (or gives it back); while the
 * customer allows it, the agent's clicks, keys and wheel on the view become control actions.
 * Targets are found by hit-testing the rebuilt page (same-origin, so `elementFromPoint` works)
 * and named by the node ids of the serialized tree. The server and the snippet check every
 * action again; this side only avoids sending what would be refused anyway.
 */
import type {
  ControlAction,
  ControlStatus,
  NodeId,
  SimpleResult,
} from '../../src/protocol/index.ts';
import { isAllowedKey } from '../../src/protocol/control-keys.ts';

export interface ControlTransport {
  requestControl(): Promise<SimpleResult>;
  releaseControl(): void;
  sendAction(action: ControlAction): void;
  /** This console's participant id in the session, once joined. */
  readonly agentId: string | undefined;
}

export interface ControlPanelElements {
  button: HTMLButtonElement;
  label: HTMLElement;
  overlay: HTMLElement;
  frame: HTMLIFrameElement;
}

export type ControlMode = 'none' | 'requested' | 'granted' | 'other';

export class ControlPanel {
  private status: ControlStatus = { state: 'none', agentId: null, name: null };
  private focusTarget: NodeId | undefined;
  private transport: ControlTransport | undefined;

  constructor(
    private readonly el: ControlPanelElements,
    private readonly idOf: (node: Node) => NodeId | undefined,
    private readonly scale: () => number,
  ) {
    el.button.addEventListener('click', () => this.toggle());
    el.overlay.addEventListener('click', (event) => this.onClick(event));
    el.overlay.addEventListener('wheel', (event) => this.onWheel(event), { passive: false });
    el.overlay.ownerDocument.addEventListener('keydown', (event) => this.onKey(event));
    this.render();
  }

  /** A new connection (or none): control starts over. */
  attach(transport: ControlTransport | undefined): void {
    this.transport = transport;
    this.update({ state: 'none', agentId: null, name: null });
  }

  /** The server said who controls the page. */
  update(status: ControlStatus): void {
    this.status = status;
    if (this.mode !== 'granted') this.focusTarget = undefined;
    this.render();
  }

  get mode(): ControlMode {
    const { state, agentId } = this.status;
    if (state === 'none') return 'none';
    if (agentId !== this.transport?.agentId) return 'other';
    return state;
  }

  private toggle(): void {
    const transport = this.transport;
    if (!transport) return;
    if (this.mode === 'granted' || this.mode === 'requested') {
      transport.releaseControl();
      return;
    }
    this.el.label.textContent = 'Asking the customer…';
    transport
      .requestControl()
      .then((res) => {
        if (!res.ok) this.el.label.textContent = res.message;
      })
      .catch(() => {
        this.el.label.textContent = 'The request was not answered.';
      });
  }

  private render(): void {
    const mode = this.mode;
    const { button, label, overlay } = this.el;
    button.disabled = this.transport === undefined || mode === 'other';
    button.textContent =
      mode === 'granted'
        ? 'Give back control'
        : mode === 'requested'
          ? 'Cancel request'
          : 'Request control';
    label.textContent =
      mode === 'granted'
        ? 'You control the page'
        : mode === 'requested'
          ? 'Waiting for the customer…'
          : mode === 'other'
            ? `${this.status.name ?? 'Another agent'} ${this.status.state === 'granted' ? 'controls' : 'asked to control'} the page`
            : '';
    overlay.dataset.control = mode;
  }

  /** The element of the rebuilt page under a point of the overlay, through nested frames. */
  private hitTest(clientX: number, clientY: number): Element | null {
    const rect = this.el.overlay.getBoundingClientRect();
    let x = (clientX - rect.left) / this.scale();
    let y = (clientY - rect.top) / this.scale();
    let doc = this.el.frame.contentDocument;
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
  private targetOf(node: Node | null): NodeId | undefined {
    for (let current = node; current; current = current.parentNode) {
      const id = this.idOf(current);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  private onClick(event: MouseEvent): void {
    if (this.mode !== 'granted') return;
    const target = this.targetOf(this.hitTest(event.clientX, event.clientY));
    if (target === undefined) return;
    this.focusTarget = target;
    this.transport?.sendAction({ kind: 'click', target });
  }

  private onWheel(event: WheelEvent): void {
    if (this.mode !== 'granted') return;
    event.preventDefault();
    const scale = this.scale();
    const hit = this.hitTest(event.clientX, event.clientY);
    // The nearest element that can scroll in the wheel's direction, else the document.
    let node: Element | null = hit;
    while (node && !canScroll(node, event.deltaX, event.deltaY)) node = node.parentElement;
    const target = node ? this.idOf(node) : this.targetOf(hit?.ownerDocument ?? null);
    if (target === undefined) return;
    const dx = Math.round(event.deltaX / scale);
    const dy = Math.round(event.deltaY / scale);
    this.transport?.sendAction({ kind: 'scroll', target, dx, dy });
  }

  private onKey(event: KeyboardEvent): void {
    if (this.mode !== 'granted' || this.focusTarget === undefined) return;
    const active = this.el.overlay.ownerDocument.activeElement;
    // Typing into the console's own fields stays there.
    if (active && /^(input|textarea|select)$/.test(active.localName)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (!isAllowedKey(key)) return;
    event.preventDefault();
    this.transport?.sendAction({ kind: 'key', target: this.focusTarget, key });
  }
}

function canScroll(el: Element, dx: number, dy: number): boolean {
  const style = el.ownerDocument.defaultView?.getComputedStyle(el);
  if (!style) return false;
  const scrollableY = /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight;
  const scrollableX = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth;
  return (dy !== 0 && scrollableY) || (dx !== 0 && scrollableX);
}
