/**
 * What the console may show for a token: it reads the token's payload without verifying it, only
 * to decide which screens to offer. The server verifies the token and authorizes every event.
 */

/** The token's payload as JSON, or null when it is not a readable JWT. */
function payloadOf(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function entriesOf(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(/\s+/);
  if (Array.isArray(claim)) return claim.filter((item): item is string => typeof item === 'string');
  return [];
}

/**
 * Whether any claim of the token grants `privilege`. Any claim, because the console does not know
 * which one the server reads (`agents.privilegesClaim`, `scope` by default): a wrong guess only
 * shows a screen whose requests the server then refuses.
 */
export function tokenGrants(token: string | null, privilege: string): boolean {
  const payload = token === null ? null : payloadOf(token);
  if (!payload) return false;
  return Object.values(payload).some((claim) => entriesOf(claim).includes(privilege));
}

/**
 * The name the token gives the agent: its `name` claim, else its subject, as the server reads it
 * by default; null when the token has neither.
 */
export function tokenName(token: string | null): string | null {
  const payload = token === null ? null : payloadOf(token);
  for (const claim of [payload?.name, payload?.sub])
    if (typeof claim === 'string' && claim.trim() !== '') return claim.trim().slice(0, 80);
  return null;
}
