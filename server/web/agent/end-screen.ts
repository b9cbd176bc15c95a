/**
 * What the agent sees once a session is over, in place of the customer's page (never a frozen
 * copy of it): who ended it and when, and what they can do next.
 */
import type { EndReason, SessionReceipt } from '../../src/protocol/index.ts';
import { describeOutcome, type OutcomeCode } from './outcomes.ts';

export interface EndScreenElements {
  box: HTMLElement;
  text: HTMLElement;
  next: HTMLElement;
  /** The line with the session's final audit hash, and the hash's own element. */
  receipt?: HTMLElement;
  hash?: HTMLElement;
}

export type EndedBy = EndReason | 'left' | 'self';

const OUTCOME_OF: Record<EndedBy, OutcomeCode> = {
  self: 'ended.self',
  agent: 'ended.agent',
  customer: 'ended.customer',
  customer_left: 'ended.customer_left',
  expired: 'ended.expired',
  idle: 'ended.idle',
  server: 'ended.server',
  left: 'ended.left',
};

/** What the agent can do next, for the way the session ended. */
export function nextStep(reason: EndedBy, supervising: boolean): string {
  if (supervising) return 'The list of live sessions is below: watch another one from there.';
  if (reason === 'left')
    return 'To go back, enter the same code while the session lasts; to help someone else, enter their code above.';
  return 'To help someone else, enter the code they read to you in the field above.';
}

export class EndScreen {
  constructor(private readonly el: EndScreenElements) {}

  get shown(): boolean {
    return !this.el.box.hidden;
  }

  show(reason: EndedBy, at: number, supervising: boolean): void {
    const notice = describeOutcome(OUTCOME_OF[reason], { at });
    this.el.box.dataset.code = notice.code;
    this.el.text.textContent = notice.text;
    this.el.next.textContent = `${nextStep(reason, supervising)} (code: ${notice.code})`;
    this.el.box.hidden = false;
  }

  /** Shows the final audit hash of the session that ended (none: the line stays hidden). */
  showReceipt(receipt: SessionReceipt | null): void {
    if (!this.el.receipt || !this.el.hash) return;
    this.el.receipt.hidden = receipt === null;
    this.el.hash.textContent = receipt?.hash ?? '';
  }

  hide(): void {
    this.el.box.hidden = true;
    this.showReceipt(null);
  }
}
