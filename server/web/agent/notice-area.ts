/**
 * The notice over the customer's page, where the agent is looking: the last outcome in words, its
 * tone and its stable code. It is a polite live region, so screen readers announce each outcome;
 * news fades after a while (warnings later), failures stay until the next notice or a dismiss.
 */
import type { Notice } from './outcomes.ts';

export interface NoticeElements {
  box: HTMLElement;
  text: HTMLElement;
  code: HTMLElement;
  close: HTMLButtonElement;
}

/** How long good and plain news stays; warnings stay twice as long, failures until dismissed. */
const FADE_MS = 8000;

export class NoticeArea {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private current: Notice | undefined;

  constructor(
    private readonly el: NoticeElements,
    private readonly fadeMs = FADE_MS,
  ) {
    el.close.addEventListener('click', () => this.clear());
    this.clear();
  }

  /** The notice shown now, if any (for tests and diagnostics). */
  get shown(): Notice | undefined {
    return this.current;
  }

  show(notice: Notice): void {
    clearTimeout(this.timer);
    this.current = notice;
    const { box, text, code } = this.el;
    box.dataset.tone = notice.tone;
    box.dataset.code = notice.code;
    text.textContent = notice.text;
    code.textContent = `code: ${notice.code}`;
    box.classList.add('shown');
    if (notice.tone !== 'error') {
      const lasts = notice.tone === 'warning' ? this.fadeMs * 2 : this.fadeMs;
      this.timer = setTimeout(() => this.clear(), lasts);
    }
  }

  clear(): void {
    clearTimeout(this.timer);
    this.current = undefined;
    const { box, text, code } = this.el;
    box.classList.remove('shown');
    delete box.dataset.code;
    text.textContent = '';
    code.textContent = '';
  }
}
