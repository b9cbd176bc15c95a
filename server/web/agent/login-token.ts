/**
 * The agent's bearer token in the console: taken from `#token=…` (then removed from the address
 * bar and history), from the paste field, or from the development login; kept in
 * sessionStorage only, so it ends with the tab.
 */
const STORAGE_KEY = 'tandem.agentToken';

/** A JWT is three base64url parts; anything else is refused before it is sent anywhere. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function isTokenShaped(token: string): boolean {
  return token.length < 8192 && JWT_SHAPE.test(token);
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  storage()?.setItem(STORAGE_KEY, token);
}

export function forgetToken(): void {
  storage()?.removeItem(STORAGE_KEY);
}

/** Takes a token from the URL fragment if there is one (and scrubs it), else the stored one. */
export function loadToken(loc: Location, hist: History): string | null {
  const fragment = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromHash = fragment.get('token');
  if (fromHash !== null) {
    hist.replaceState(null, '', `${loc.pathname}${loc.search}`);
    if (isTokenShaped(fromHash)) {
      saveToken(fromHash);
      return fromHash;
    }
  }
  const stored = storage()?.getItem(STORAGE_KEY) ?? null;
  return stored !== null && isTokenShaped(stored) ? stored : null;
}
