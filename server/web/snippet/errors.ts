/**
 * Why `Tandem.start()` failed, for the site owner: a stable code and a sentence that says what to
 * do. The codes are the server's (protocol/errors.ts) plus `unreachable`, which only the browser
 * can tell.
 */
import type { ErrorCode } from '../../src/protocol/index.ts';

export type StartErrorCode = ErrorCode | 'unreachable';

const MESSAGES: Partial<Record<StartErrorCode, string>> = {
  forbidden_origin:
    'This site is not allowed to use co-browsing: add its origin to cross-origin.allowedOrigins on the Tandem server.',
  unreachable: 'The co-browsing service cannot be reached. Check the network and try again.',
  unsupported_protocol:
    'This page loads a Tandem snippet the server no longer speaks: load /tandem.js from the same server.',
  rate_limited: 'Too many co-browsing sessions were started from here. Try again in a minute.',
};

/** What `Tandem.start()` rejects with: `code` is stable, `message` is for people. */
export class TandemError extends Error {
  override readonly name = 'TandemError';
  constructor(
    readonly code: StartErrorCode,
    message?: string,
  ) {
    super(message ?? MESSAGES[code] ?? 'Co-browsing could not start.');
  }
}

/** The server's failure as a TandemError, with the site-owner message where there is one. */
export function startError(code: StartErrorCode, serverMessage?: string): TandemError {
  return new TandemError(code, MESSAGES[code] ?? serverMessage);
}

/**
 * The connection failed before it was ever up: asks the server whether this page's origin may
 * connect at all (`/tandem/origin-check`, readable from any origin). No answer means the server
 * cannot be reached from here.
 */
export async function diagnoseConnectFailure(
  serverOrigin: string,
  fetchFn: typeof fetch,
): Promise<TandemError> {
  try {
    const res = await fetchFn(`${serverOrigin}/tandem/origin-check`, {
      mode: 'cors',
      credentials: 'omit',
      cache: 'no-store',
    });
    const body = (await res.json()) as { allowed?: unknown };
    if (body.allowed === false) return startError('forbidden_origin');
  } catch {
    // Fall through: nothing answered.
  }
  return startError('unreachable');
}
