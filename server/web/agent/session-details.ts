/**
 * The session panel beside the view: the customer's page (title, address, tab), how long the
 * agent has been in the session, who is present, who controls the page, how much is masked (a
 * count, never content) and how well the connection carries the page.
 */
import type { SessionView } from '../../src/protocol/index.ts';
import { formatTime } from './outcomes.ts';

export interface SessionDetailsElements {
  panel: HTMLElement;
  toggle: HTMLButtonElement;
  page: HTMLElement;
  url: HTMLElement;
  tab: HTMLElement;
  time: HTMLElement;
  customer: HTMLElement;
  agents: HTMLElement;
  control: HTMLElement;
  masking: HTMLElement;
  connection: HTMLElement;
}

/** Relay delay (customer's node to this console) above which the connection is called slow. */
const SLOW_MS = 400;
const POOR_MS = 1500;

/** "Good", "Slow" or "Poor" for a relay delay in ms. */
export function describeDelay(delayMs: number): string {
  const rounded = Math.max(0, Math.round(delayMs));
  const word = rounded < SLOW_MS ? 'Good' : rounded < POOR_MS ? 'Slow' : 'Poor';
  return `${word} (page updates arrive in ${rounded} ms)`;
}

/** "under a minute", "3 min", "1 h 5 min". */
export function describeDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export class SessionDetails {
  private joinedAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private linkState = 'Connecting…';
  private delay: string | undefined;

  constructor(
    private readonly el: SessionDetailsElements,
    private readonly now: () => number = Date.now,
  ) {
    el.toggle.addEventListener('click', () => this.setOpen(el.panel.hidden));
  }

  /** Shown while in a session; the toggle's state survives sessions. */
  enter(): void {
    this.reset();
    this.joinedAt = this.now();
    this.el.panel.hidden = this.el.toggle.getAttribute('aria-expanded') !== 'true';
    this.timer = setInterval(() => this.renderTime(), 15_000);
    this.renderTime();
  }

  exit(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.el.panel.hidden = true;
  }

  private setOpen(open: boolean): void {
    this.el.toggle.setAttribute('aria-expanded', String(open));
    if (this.joinedAt !== undefined) this.el.panel.hidden = !open;
  }

  private reset(): void {
    for (const key of ['page', 'url', 'tab', 'customer', 'agents', 'masking'] as const)
      this.el[key].textContent = '—';
    this.el.control.textContent = 'The customer (nobody else)';
    this.delay = undefined;
    this.renderConnection();
  }

  private renderTime(): void {
    if (this.joinedAt === undefined) return;
    const since = describeDuration(this.now() - this.joinedAt);
    this.el.time.textContent = `Joined ${formatTime(this.joinedAt)} (${since})`;
  }

  setPage(page: { url: string; title: string }): void {
    this.el.page.textContent = page.title || 'Untitled page';
    this.el.url.textContent = page.url;
    this.el.url.title = page.url;
  }

  /** The customer's tab, once the snippet reports tabs. */
  setTab(text: string): void {
    this.el.tab.textContent = text;
  }

  setView(view: SessionView, selfId: string | undefined): void {
    this.el.customer.textContent = view.customerConnected ? 'Connected' : 'Away (not connected)';
    const names = view.agents.map((agent) =>
      agent.id === selfId ? `${agent.name} (you)` : agent.name,
    );
    this.el.agents.textContent = names.join(', ') || 'No agent';
  }

  setControl(text: string): void {
    this.el.control.textContent = text;
  }

  setMasking(text: string): void {
    if (this.el.masking.textContent !== text) this.el.masking.textContent = text;
  }

  setLink(state: string): void {
    this.linkState = state;
    this.renderConnection();
  }

  /** A page update arrived that the server stamped `relayedAt` (its clock, ms). */
  pageDelay(delayMs: number): void {
    this.delay = describeDelay(delayMs);
    this.renderConnection();
  }

  private renderConnection(): void {
    const text = this.linkState === 'Connected' && this.delay ? this.delay : this.linkState;
    if (this.el.connection.textContent !== text) this.el.connection.textContent = text;
  }
}
