/** The development sign-in page (`/agent/login.html`): mints a token and opens the console. */
import { saveToken } from './login-token.ts';

const form = document.getElementById('login-form') as HTMLFormElement | null;
const message = document.getElementById('login-message');

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
      location.assign('/agent/');
    })
    .catch((error: unknown) => {
      if (message) message.textContent = error instanceof Error ? error.message : String(error);
    });
});
