/**
 * Control from the console: a button asks the customer for control (or gives it back); while the
 * customer allows it, the agent's clicks, keys and wheel on the view become control actions.
 * Targets are found by hit-testing the rebuilt page (same-origin, so `elementFromPoint` works)
 * and named by the node ids of the serialized tree. The server and the snippet check every
 * action again; this side only avoids sending what would be refused anyway, and tells the agent
 * every outcome (granted, declined, taken back, refused and why) through `notify`.
 */
import type {
  ControlAction,
  ControlStatus,
  NodeId,
  SimpleResult,
} from '../../src/protocol/index.ts';
import { isAllowedKey } from '../../src/protocol/control-keys.ts';
import {
  controlOutcome,
  modeOf,
  type ControlMode,
  type LocalIntent,
} from './control-transitions.ts';
import { hitTest, nearestId } from './hit-test.ts';
import { refusalOutcome, type NoticeDetails, type OutcomeCode } from './outcomes.ts';

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

export interface ControlPanelDeps {
  idOf(node: Node): NodeId | undefined;
  scale(): number;
  /** Tells the agent what happened. */
  notify(code: OutcomeCode, details?: NoticeDetails): void;
  /** Whether this agent's sign-in carries the control privilege (the server decides anyway). */
  canControl(): boolean;
  /** Whether an element of the rebuilt page is masked or hidden, to word a refusal. */
  isMasked(el: Element): boolean;
  /** Whether the overlay's clicks belong to the pointer (not to a drawing tool). */
  pointing(): boolean;
  /** The control state changed (for the session panel). */
  changed?(text: string): void;
}

export type { ControlMode } from './control-transitions.ts';

const NO_CONTROL: ControlStatus = { state: 'none', agentId: null, name: null };

export class ControlPanel {
  private status: ControlStatus = NO_CONTROL;
  private focusTarget: NodeId | undefined;
  private transport: ControlTransport | undefined;
  private intent: LocalIntent = null;
  /** The element the last action aimed at, to word the server's refusal of it. */
  private lastTarget: Element | null = null;

  constructor(
    private readonly el: ControlPanelElements,
    private readonly deps: ControlPanelDeps,
  ) {
    el.button.addEventListener('click', () => this.toggle());
    el.overlay.addEventListener('click', (event) => this.onClick(event));
    el.overlay.addEventListener('wheel', (event) => this.onWheel(event), { passive: false });
    el.overlay.ownerDocument.addEventListener('keydown', (event) => this.onKey(event));
    this.render();
  }

  /** A new connection (or none): control starts over, without news. */
  attach(transport: ControlTransport | undefined): void {
    this.transport = transport;
    this.intent = null;
    this.status = NO_CONTROL;
    this.focusTarget = undefined;
    this.render();
  }

  /** The server said who controls the page. */
  update(status: ControlStatus): void {
    const before = this.mode;
    this.status = status;
    const after = this.mode;
    const outcome = controlOutcome(before, after, this.intent);
    if (after === 'none' || after === 'other') this.intent = null;
    if (after !== 'granted') this.focusTarget = undefined;
    if (outcome) this.deps.notify(outcome, { name: status.name ?? 'Another agent' });
    this.render();
  }

  /** The server refused a control event (`protocol:error` or a failed ack). */
  refused(code: string, message: string): void {
    const masked = this.lastTarget !== null && this.deps.isMasked(this.lastTarget);
    const outcome = refusalOutcome(code, masked);
    this.deps.notify(outcome, { name: outcome === 'refused.other' ? message : undefined });
  }

  get mode(): ControlMode {
    return modeOf(this.status, this.transport?.agentId);
  }

  private toggle(): void {
    const transport = this.transport;
    if (!transport) return;
    if (this.mode === 'granted' || this.mode === 'requested') {
      this.intent = 'release';
      transport.releaseControl();
      return;
    }
    if (!this.deps.canControl()) return this.deps.notify('refused.no_privilege');
    this.intent = 'request';
    this.el.label.textContent = 'Asking the customer…';
    transport
      .requestControl()
      .then((res) => {
        if (res.ok) return;
        this.intent = null;
        this.render();
        const busy = res.code === 'forbidden' && /already/.test(res.message);
        if (busy) this.deps.notify('control.busy', { name: res.message.split(' already')[0] });
        else this.refused(res.code, res.message);
      })
      .catch(() => {
        this.intent = null;
        this.render();
        this.deps.notify('control.unanswered');
      });
  }

  private render(): void {
    const mode = this.mode;
    const { button, label, overlay } = this.el;
    const allowed = this.deps.canControl();
    button.disabled = this.transport === undefined || mode === 'other' || !allowed;
    button.textContent =
      mode === 'granted'
        ? 'Give back control'
        : mode === 'requested'
          ? 'Cancel request'
          : 'Request control';
    const name = this.status.name ?? 'Another agent';
    const text =
      mode === 'granted'
        ? 'You control the page'
        : mode === 'requested'
          ? 'Waiting for the customer…'
          : mode === 'other'
            ? `${name} ${this.status.state === 'granted' ? 'controls' : 'asked to control'} the page`
            : allowed
              ? ''
              : 'View only: no control privilege';
    label.textContent = text;
    overlay.dataset.control = mode;
    this.deps.changed?.(
      text && text !== 'View only: no control privilege' ? text : 'The customer (nobody else)',
    );
  }

  private hit(event: MouseEvent): Element | null {
    return hitTest(this.el.overlay, this.el.frame, this.deps.scale(), event.clientX, event.clientY);
  }

  private onClick(event: MouseEvent): void {
    if (this.mode !== 'granted' || !this.deps.pointing()) return;
    const hit = this.hit(event);
    const target = nearestId(hit, this.deps.idOf);
    if (target === undefined) return;
    this.lastTarget = hit;
    this.focusTarget = target;
    this.transport?.sendAction({ kind: 'click', target });
  }

  private onWheel(event: WheelEvent): void {
    if (this.mode !== 'granted') return;
    event.preventDefault();
    const scale = this.deps.scale();
    const hit = this.hit(event);
    // The nearest element that can scroll in the wheel's direction, else the document.
    let node: Element | null = hit;
    while (node && !canScroll(node, event.deltaX, event.deltaY)) node = node.parentElement;
    const target = node
      ? this.deps.idOf(node)
      : nearestId(hit?.ownerDocument ?? null, this.deps.idOf);
    if (target === undefined) return;
    this.lastTarget = node;
    const dx = Math.round(event.deltaX / scale);
    const dy = Math.round(event.deltaY / scale);
    this.transport?.sendAction({ kind: 'scroll', target, dx, dy });
  }

  private onKey(event: KeyboardEvent): void {
    if (this.mode !== 'granted' || this.focusTarget === undefined) return;
    const active = this.el.overlay.ownerDocument.activeElement;
    // Typing into the console's own fields and buttons stays there.
    if (active && /^(input|textarea|select|button|a)$/.test(active.localName)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    // Tab stays the console's: it moves the agent's focus, so the view is never a keyboard trap.
    if (key === 'Tab' || !isAllowedKey(key)) return;
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
