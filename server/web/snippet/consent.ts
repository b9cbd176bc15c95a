/**
 * The consent part of the widget: an agent's request for control ("Allow" / "Deny"), and while
 * an agent controls the page, who it is and a "Stop control" button that works at once. Lives in
 * the widget's closed shadow root: the host page cannot read it or press its buttons by selector.
 * Every change is told to the customer in words (`note`), from the table in widget-text.ts.
 */
import type { ControlAsk, ControlStatus } from '../../src/protocol/index.ts';
import { guard } from './guard.ts';
import { widgetText, type WidgetTextKey } from './widget-text.ts';

export const CONSENT_CSS = `
.consent { margin: 0 0 10px; padding: 8px; border-radius: 6px; background: #24365e; }
.consent[hidden] { display: none; }
.consent p { margin: 0 0 8px; }
.consent .row { display: flex; gap: 8px; }
.consent button {
  flex: 1; padding: 6px 10px; border: 0; border-radius: 6px; cursor: pointer;
  font: 600 14px/1.4 system-ui, sans-serif;
}
.consent .allow { background: #1f7a6f; color: #fff; }
.consent .deny, .consent .stop-control { background: #fff; color: #14213d; }
.consent button:focus-visible { outline: 3px solid #ffd166; outline-offset: 2px; }
`;

export interface ConsentPanel {
  /** Shows an agent's request; `answer` is called once with the customer's choice. */
  ask(request: ControlAsk, answer: (allow: boolean) => void): void;
  /** Shows who controls the page now (or nothing); `revoke` ends it. */
  show(status: ControlStatus, revoke: () => void): void;
  /** Takes everything away (the session ended). */
  clear(): void;
  remove(): void;
}

export interface ConsentHooks {
  /** Something changed that the customer should read (a polite announcement). */
  note(text: string): void;
  /** Said to screen readers only: what is already on screen in the consent box. */
  announce(text: string): void;
  /** A request arrived: the widget must be open to show it. */
  attention(): void;
}

let boxes = 0;

export function createConsentPanel(
  doc: Document,
  parent: HTMLElement,
  before: Node | null,
  hooks: ConsentHooks,
): ConsentPanel {
  const box = doc.createElement('div');
  box.className = 'consent';
  box.hidden = true;
  const textId = `tandem-consent-${++boxes}`;
  parent.insertBefore(box, before);

  const button = (className: string, text: string, onClick: () => void): HTMLButtonElement => {
    const b = doc.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    b.addEventListener('click', guard(onClick));
    return b;
  };
  const render = (role: string, text: string, ...buttons: HTMLButtonElement[]): void => {
    const p = doc.createElement('p');
    p.id = textId;
    p.textContent = text;
    const row = doc.createElement('div');
    row.className = 'row';
    row.append(...buttons);
    box.setAttribute('role', role);
    box.setAttribute('aria-labelledby', textId);
    box.replaceChildren(p, row);
    box.hidden = false;
  };
  const clear = (): void => {
    box.replaceChildren();
    box.removeAttribute('role');
    box.removeAttribute('aria-labelledby');
    box.hidden = true;
  };
  /** The request on screen, and the control the customer sees now. */
  let pending: ControlAsk | null = null;
  let granted: { agentId: string | null; name: string } | null = null;
  /** What the customer themselves just did, so that the server's echo is not told twice. */
  let own: WidgetTextKey | null = null;
  const note = (key: WidgetTextKey, name: string): void => hooks.note(widgetText(key, { name }));

  return {
    ask(request, answer) {
      pending = request;
      let answered = false;
      const once = (allow: boolean) => () => {
        if (answered) return;
        answered = true;
        pending = null;
        clear();
        if (!allow) {
          own = 'control.denied';
          note('control.denied', request.name);
        }
        answer(allow);
      };
      render(
        'alertdialog',
        widgetText('control.asked', { name: request.name }),
        button('allow', 'Allow', once(true)),
        button('deny', 'Deny', once(false)),
      );
      hooks.note('');
      hooks.announce(widgetText('control.asked', { name: request.name }));
      hooks.attention();
    },
    show(status, revoke) {
      if (status.state === 'granted') {
        pending = null;
        const name = status.name ?? 'An agent';
        granted = { agentId: status.agentId, name };
        render(
          'group',
          widgetText('control.granted', { name }),
          button('stop-control', 'Stop control', () => {
            clear();
            granted = null;
            own = 'control.revoked';
            note('control.revoked', name);
            revoke();
          }),
        );
        return;
      }
      if (status.state === 'requested') return; // The ask itself shows the request.
      // Nobody has control now.
      if (granted) note('control.released', granted.name);
      else if (pending && own === null) note('control.withdrawn', pending.name);
      granted = null;
      pending = null;
      own = null;
      clear();
    },
    clear() {
      pending = null;
      granted = null;
      own = null;
      clear();
    },
    remove() {
      box.remove();
    },
  };
}
