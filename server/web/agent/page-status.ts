/**
 * What the agent sees of the customer's page beyond the mirror: "Customer is navigating to
 * /checkout…" over the old page until the new one arrives, a neutral screen while the site pauses
 * co-browsing (the page is hidden; the server sends none of it), and "Customer left at 10:42:13"
 * in the session bar instead of "Connected" once the customer's last tab went away.
 */
import type { SessionView } from '../../src/protocol/index.ts';
import { describePage, NAVIGATION_PATIENCE_MS, type PageStatusKind } from './page-status-text.ts';

export type { PageStatusKind } from './page-status-text.ts';

export interface PageStatusElements {
  /** The session bar's state chip. */
  state: HTMLElement;
  /** A strip over the mirrored page. */
  banner: HTMLElement;
  /** The neutral screen shown instead of the page while it is paused. */
  screen: HTMLElement;
  /** The mirror's container, hidden while paused. */
  viewport: HTMLElement;
}

export class PageStatus {
  private current: PageStatusKind = 'live';
  /** Looks again once a page change has taken too long (a closed tab). */
  private recheck: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly el: PageStatusElements,
    /** Puts the connection's own label back on the state chip. */
    private readonly restoreState: () => void,
  ) {
    el.banner.hidden = true;
    el.screen.hidden = true;
  }

  get kind(): PageStatusKind {
    return this.current;
  }

  update(view: SessionView, currentUrl: string | undefined): void {
    clearTimeout(this.recheck);
    const { kind, text } = describePage(view, currentUrl);
    if (kind === 'navigating' && !view.customerConnected)
      this.recheck = setTimeout(() => this.update(view, currentUrl), NAVIGATION_PATIENCE_MS);
    const wasLeft = this.current === 'left';
    this.current = kind;
    const { banner, screen, viewport, state } = this.el;
    banner.hidden = kind !== 'navigating' && kind !== 'left';
    banner.textContent = banner.hidden ? '' : text;
    banner.dataset.kind = kind;
    screen.hidden = kind !== 'paused';
    screen.textContent = screen.hidden ? '' : text;
    if (kind === 'paused') viewport.hidden = true;
    if (kind === 'left') {
      state.dataset.state = 'customer-left';
      state.textContent = text;
    } else if (wasLeft) {
      this.restoreState();
    }
  }

  /** A page arrived: it is live on this side, whatever the last view said. */
  pageShown(): void {
    clearTimeout(this.recheck);
    if (this.current === 'navigating' || this.current === 'paused') {
      this.current = 'live';
      this.el.banner.hidden = true;
      this.el.screen.hidden = true;
    }
  }

  reset(): void {
    clearTimeout(this.recheck);
    const wasLeft = this.current === 'left';
    this.current = 'live';
    this.el.banner.hidden = true;
    this.el.screen.hidden = true;
    if (wasLeft) this.restoreState();
  }
}
