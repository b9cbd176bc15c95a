/**
 * The join form: the code the customer reads out, and the sign-in. Signed in, the form shows who
 * the agent is instead of asking for a name (the server names agents from their token), and the
 * "Sign in" link carries the code already typed, so that signing in comes back to it.
 */
import { tokenName } from './token-claims.ts';

export interface JoinFormElements {
  form: HTMLFormElement;
  code: HTMLInputElement;
  name: HTMLInputElement;
  nameField: HTMLElement;
  token: HTMLInputElement;
  tokenField: HTMLElement;
  signIn: HTMLAnchorElement;
  signedIn: HTMLElement;
}

/** The sign-in page's address, carrying what the agent typed so far. */
export function signInHref(code: string, name: string): string {
  const params = new URLSearchParams();
  if (code.trim()) params.set('code', code.trim());
  if (name.trim()) params.set('name', name.trim());
  const query = params.toString();
  return `/agent/login.html${query ? `?${query}` : ''}`;
}

export class JoinForm {
  constructor(private readonly el: JoinFormElements) {
    const update = (): void => {
      el.signIn.href = signInHref(el.code.value, el.name.value);
    };
    el.code.addEventListener('input', update);
    el.name.addEventListener('input', update);
    update();
    this.hideSignInWhenOff();
  }

  /**
   * The development sign-in page exists only while the server offers it (`agents.devLogin`): a
   * 404 hides the link, so that an agent is not sent to a page that is not there.
   */
  private hideSignInWhenOff(): void {
    fetch('/agent/login.html', { method: 'HEAD', cache: 'no-store' }).then(
      (res) => {
        if (res.status === 404) this.el.signIn.hidden = true;
      },
      () => undefined,
    );
  }

  /** Shows the form for a sign-in (a token) or for none. */
  setToken(token: string | null): void {
    const { tokenField, nameField, signIn, signedIn } = this.el;
    tokenField.hidden = token !== null;
    nameField.hidden = token !== null;
    const name = tokenName(token);
    signedIn.hidden = token === null;
    signedIn.textContent = token === null ? '' : `Signed in as ${name ?? 'an agent'}`;
    signIn.textContent = token === null ? 'Sign in' : 'Switch agent';
  }

  fill(code: string, name: string | null): void {
    this.el.code.value = code;
    if (name !== null) this.el.name.value = name;
    this.el.signIn.href = signInHref(code, this.el.name.value);
  }

  get code(): string {
    return this.el.code.value.trim();
  }

  get name(): string {
    return this.el.name.value;
  }

  focusCode(): void {
    this.el.code.focus();
  }
}
