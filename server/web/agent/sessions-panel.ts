/**
 * The supervisor's "Sessions" panel: a table of live sessions, refreshed on a timer and on demand,
 * with a Watch button per session. It only renders; the server decides what a supervisor may see.
 */
import type { SessionSummary } from '../../src/protocol/index.ts';
import { describeSession } from './session-rows.ts';
import type { ListOutcome } from './session-lister.ts';

export interface SessionsPanelElements {
  panel: HTMLElement;
  table: HTMLTableElement;
  rows: HTMLTableSectionElement;
  empty: HTMLElement;
  /** A polite live region: it changes only when there is something new to announce. */
  status: HTMLElement;
  updated: HTMLElement;
  error: HTMLElement;
  refresh: HTMLButtonElement;
}

export interface SessionsPanelOptions {
  /** How often the list refreshes while the panel is shown. Default 5000 ms. */
  refreshMs?: number;
  /** The clock, for ages and the "updated" time. Default `Date.now`. */
  now?: () => number;
  /** Starts a repeating timer and returns its stop. Default `setInterval`. */
  every?: (fn: () => void, ms: number) => () => void;
}

export interface SessionSource {
  list(): Promise<ListOutcome>;
}

const FORBIDDEN_TEXT =
  'You are not allowed to supervise sessions: the server requires the cobrowse:supervise privilege.';

function everyInterval(fn: () => void, ms: number): () => void {
  const timer = setInterval(fn, ms);
  return () => clearInterval(timer);
}

function cell(doc: Document, tag: 'td' | 'th', text: string): HTMLTableCellElement {
  const el = doc.createElement(tag);
  el.textContent = text;
  return el;
}

export class SessionsPanel {
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly every: (fn: () => void, ms: number) => () => void;
  private stopTimer: (() => void) | undefined;
  private inFlight = false;
  private forbidden = false;
  private count = 0;

  constructor(
    private readonly el: SessionsPanelElements,
    private readonly source: SessionSource,
    private readonly onWatch: (sessionId: string) => void,
    options: SessionsPanelOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.every = options.every ?? everyInterval;
    el.refresh.addEventListener('click', () => void this.refresh(true));
    el.rows.addEventListener('click', (event) => {
      const button = (event.target as Element | null)?.closest('button[data-session]');
      const sessionId = button?.getAttribute('data-session');
      if (sessionId) this.onWatch(sessionId);
    });
  }

  get shown(): boolean {
    return !this.el.panel.hidden;
  }

  /** How many sessions the last answer listed. */
  get rowCount(): number {
    return this.count;
  }

  show(): void {
    this.el.panel.hidden = false;
    this.stop();
    if (this.forbidden) return;
    this.stopTimer = this.every(() => void this.refresh(false), this.refreshMs);
    void this.refresh(false);
  }

  hide(): void {
    this.el.panel.hidden = true;
    this.stop();
  }

  private stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** Asks for the list now; `byHand` when the supervisor pressed Refresh. */
  async refresh(byHand: boolean): Promise<void> {
    if (this.inFlight || !this.shown || this.forbidden) return;
    this.inFlight = true;
    this.el.refresh.disabled = true;
    if (byHand) this.setStatus('Refreshing…');
    try {
      this.apply(await this.source.list());
    } finally {
      this.inFlight = false;
      this.el.refresh.disabled = this.forbidden;
    }
  }

  private apply(outcome: ListOutcome): void {
    if (!outcome.ok) {
      if (outcome.code === 'forbidden') {
        // Retrying will not help: say so once, and stop asking.
        this.forbidden = true;
        this.stop();
        this.el.table.hidden = true;
        this.el.empty.hidden = true;
      }
      this.el.error.textContent = outcome.code === 'forbidden' ? FORBIDDEN_TEXT : outcome.message;
      this.setStatus('');
      return;
    }
    this.el.error.textContent = '';
    this.render(outcome.sessions);
    this.count = outcome.sessions.length;
    const n = outcome.sessions.length;
    this.setStatus(n === 1 ? '1 live session' : `${n} live sessions`);
    this.el.updated.textContent = `Updated ${new Date(this.now()).toLocaleTimeString()}`;
  }

  private render(sessions: SessionSummary[]): void {
    const doc = this.el.rows.ownerDocument;
    // Keep the keyboard where it was: a refresh must not steal focus from a Watch button.
    const focused = doc.activeElement
      ?.closest('button[data-session]')
      ?.getAttribute('data-session');
    const now = this.now();
    const rows = sessions.map((session) => {
      const row = describeSession(session, now);
      const tr = doc.createElement('tr');
      const id = cell(doc, 'th', row.shortId);
      id.scope = 'row';
      id.className = 'mono';
      id.title = row.sessionId;
      const page = doc.createElement('td');
      page.className = 'page';
      page.title = session.url;
      const origin = doc.createElement('span');
      origin.className = 'origin';
      origin.textContent = row.origin;
      page.append(origin, doc.createTextNode(row.path));
      const action = doc.createElement('td');
      const button = doc.createElement('button');
      button.type = 'button';
      button.dataset.session = row.sessionId;
      button.textContent = 'Watch';
      button.setAttribute('aria-label', `Watch session ${row.shortId} on ${row.origin}${row.path}`);
      action.append(button);
      tr.append(
        id,
        page,
        cell(doc, 'td', row.status),
        cell(doc, 'td', row.customer),
        cell(doc, 'td', row.agents),
        cell(doc, 'td', row.age),
        action,
      );
      return tr;
    });
    this.el.rows.replaceChildren(...rows);
    this.el.table.hidden = rows.length === 0;
    this.el.empty.hidden = rows.length > 0;
    if (focused)
      this.el.rows
        .querySelector<HTMLButtonElement>(`button[data-session="${CSS.escape(focused)}"]`)
        ?.focus();
  }

  /** Changes the live region only when its text changes, so that a refresh is not announced. */
  private setStatus(text: string): void {
    if (this.el.status.textContent !== text) this.el.status.textContent = text;
  }
}
