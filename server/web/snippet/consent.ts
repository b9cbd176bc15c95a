/**
 * The consent part of the widget: an agent's request for control ("Allow" / "Deny"), and while
 * an agent controls the page, who it is and a "Stop control" button that works at once. Lives in
 * the widget's closed shadow root: the host page cannot read it or press its buttons by selector.
 */
import type { ControlAsk, ControlStatus } from '../../src/protocol/index.ts';
import { guard } from './guard.ts';

export const CONSENT_CSS = `
.consent { margin: 0 0 10px; padding: 8px; border-radius: 6px; background: #24365e; }
.consent[hidden] { display: none; }
.consent p { margin: 0 0 8px; }
.consent .row { display: flex; gap: 8px; }
.consent button {
  flex: 1; padding: 6px 10px; border: 0; border-radius: 6px; cursor: pointer;
  font: 600 14px/1.4 system-ui, sans-serif;
}
.consent .allow { background: #2a9d8f; color: #fff; }
.consent .deny, .consent .stop-control { background: #fff; color: #14213d; }
.consent button:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
`;

export interface ConsentPanel {
  /** Shows an agent's request; `answer` is called once with the customer's choice. */
  ask(request: ControlAsk, answer: (allow: boolean) => void): void;
  /** Shows who controls the page now (or nothing); `revoke` ends it. */
  show(status: ControlStatus, revoke: () => void): void;
  remove(): void;
}

export function createConsentPanel(
  doc: Document,
  parent: HTMLElement,
  before: Node | null,
): ConsentPanel {
  const box = doc.createElement('div');
  box.className = 'consent';
  box.hidden = true;
  box.setAttribute('role', 'alertdialog');
  parent.insertBefore(box, before);

  const button = (className: string, text: string, onClick: () => void): HTMLButtonElement => {
    const b = doc.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    b.addEventListener('click', guard(onClick));
    return b;
  };
  const render = (text: string, ...buttons: HTMLButtonElement[]): void => {
    const p = doc.createElement('p');
    p.textContent = text;
    const row = doc.createElement('div');
    row.className = 'row';
    row.append(...buttons);
    box.replaceChildren(p, row);
    box.hidden = false;
  };
  const clear = (): void => {
    box.replaceChildren();
    box.hidden = true;
  };
  let pending: string | null = null;

  return {
    ask(request, answer) {
      pending = request.agentId;
      let answered = false;
      const once = (allow: boolean) => () => {
        if (answered) return;
        answered = true;
        pending = null;
        clear();
        answer(allow);
      };
      render(
        `${request.name} asks to control this page: click, type and scroll for you. Fields you keep private stay off limits.`,
        button('allow', 'Allow', once(true)),
        button('deny', 'Deny', once(false)),
      );
    },
    show(status, revoke) {
      if (status.state === 'granted') {
        pending = null;
        render(
          `${status.name ?? 'An agent'} controls this page.`,
          button('stop-control', 'Stop control', () => {
            clear();
            revoke();
          }),
        );
      } else if (status.state === 'none' || status.agentId !== pending) {
        // The request was withdrawn, or control ended: nothing to show.
        if (status.state === 'none') {
          pending = null;
          clear();
        }
      }
    },
    remove() {
      box.remove();
    },
  };
}
