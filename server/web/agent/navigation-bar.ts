/**
 * Back, forward, reload and a URL field for the agent in control (write mode). Shown only while
 * the customer grants this console control; the server and the snippet check consent again.
 */
import type { NavigateAction } from '../../src/protocol/index.ts';

export interface NavigationBarElements {
  bar: HTMLElement;
  back: HTMLButtonElement;
  forward: HTMLButtonElement;
  reload: HTMLButtonElement;
  form: HTMLFormElement;
  url: HTMLInputElement;
}

export class NavigationBar {
  private send: ((action: NavigateAction) => void) | undefined;

  constructor(private readonly el: NavigationBarElements) {
    el.bar.hidden = true;
    el.back.addEventListener('click', () => this.send?.({ go: 'back' }));
    el.forward.addEventListener('click', () => this.send?.({ go: 'forward' }));
    el.reload.addEventListener('click', () => this.send?.({ go: 'reload' }));
    el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const url = el.url.value.trim();
      if (url) this.send?.({ go: 'url', url });
    });
  }

  /** Shows the bar while this console is in control; `send` carries the action to the server. */
  setControl(send: ((action: NavigateAction) => void) | undefined): void {
    this.send = send;
    this.el.bar.hidden = send === undefined;
  }

  /** The page the customer is on, as the URL field's starting point. */
  setUrl(url: string): void {
    if (this.el.url.ownerDocument.activeElement !== this.el.url) this.el.url.value = url;
  }
}
