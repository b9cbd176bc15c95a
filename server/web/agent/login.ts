/**
 * The development sign-in page (`/agent/login.html`): mints a token and opens the console. What
 * the agent had typed in the console (`?code=…&name=…`) comes along: the name fills the form, and
 * the console opens on the code, so that signing in does not lose it.
 */
import { saveToken } from './login-token.ts';

const form = document.getElementById('login-form') as HTMLFormElement | null;
const message = document.getElementById('login-message');
const nameInput = document.getElementById('login-name') as HTMLInputElement | null;
const carried = new URLSearchParams(location.search);
const code = carried.get('code')?.trim().slice(0, 32) ?? '';
if (nameInput && !nameInput.value) nameInput.value = carried.get('name')?.slice(0, 80) ?? '';
const codeNote = document.getElementById('login-code');
if (codeNote && code) {
  codeNote.hidden = false;
  codeNote.textContent = `After signing in you join the session ${code}.`;
}

/** Where the console opens after signing in. */
function consoleHref(): string {
  return code ? `/agent/?code=${encodeURIComponent(code)}` : '/agent/';
}

form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const body = {
    name: String(data.get('name') ?? '').trim(),
    privileges: data.getAll('privilege').map(String),
  };
  fetch('/agent/dev-login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
    .then(async (res) => {
      if (res.status === 405 || res.status === 404)
        throw new Error('The development sign-in is off on this server.');
      const json = (await res.json()) as { ok?: boolean; token?: unknown; message?: unknown };
      if (!json.ok || typeof json.token !== 'string')
        throw new Error(typeof json.message === 'string' ? json.message : 'Sign-in refused.');
      saveToken(json.token);
      location.assign(consoleHref());
    })
    .catch((error: unknown) => {
      if (message) message.textContent = error instanceof Error ? error.message : String(error);
    });
});
