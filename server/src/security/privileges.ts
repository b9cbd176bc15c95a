/**
 * Agent privileges, read from a claim of the agent's token. Viewing a session by its code needs
 * `cobrowse:monitor`; asking the customer for control needs `cobrowse:control`; listing and
 * watching any session needs `cobrowse:supervise`. Nothing is implied: each is granted on its own.
 */
import type { AgentToServerEvents } from '../protocol/index.ts';

export const PRIVILEGES = ['cobrowse:monitor', 'cobrowse:control', 'cobrowse:supervise'] as const;

export type Privilege = (typeof PRIVILEGES)[number];

function isPrivilege(value: string): value is Privilege {
  return (PRIVILEGES as readonly string[]).includes(value);
}

/**
 * The privileges named by a claim: an array of strings, or one space-separated string (as OAuth
 * `scope` is). Unknown entries (other applications' scopes) are ignored.
 */
export function parsePrivileges(claim: unknown): Set<Privilege> {
  const entries =
    typeof claim === 'string'
      ? claim.split(/\s+/)
      : Array.isArray(claim)
        ? claim.filter((item): item is string => typeof item === 'string')
        : [];
  return new Set(entries.filter(isPrivilege));
}

/**
 * The privilege each agent event needs, keyed by the protocol's agent → server map: an event
 * added to the map without an entry here does not compile. `null` means any authenticated agent
 * whose token has not expired (those events act only on the session the agent already joined or
 * watches).
 */
export const EVENT_PRIVILEGES: { readonly [E in keyof AgentToServerEvents]: Privilege | null } = {
  'session:join': 'cobrowse:monitor',
  'session:watch': 'cobrowse:supervise',
  'sessions:list': 'cobrowse:supervise',
  'control:request': 'cobrowse:control',
  'control:action': 'cobrowse:control',
  'control:navigate': 'cobrowse:control',
  'control:release': null,
  'session:leave': null,
  'session:end': null,
  'page:resync': null,
  'agent:pointer': null,
  // Drawing shows the customer something, as pointing does, but it is asked of the token.
  'annotation:draw': 'cobrowse:monitor',
  'annotation:clear': null,
};

/**
 * What an inbound agent event needs: its privilege (or null for none beyond a valid token), or
 * `unknown` for a name outside the protocol, which is refused before any handler sees it. Own
 * keys only: `toString` or `__proto__` are not events.
 */
export function privilegeFor(event: unknown): Privilege | null | 'unknown' {
  if (typeof event !== 'string' || !Object.hasOwn(EVENT_PRIVILEGES, event)) return 'unknown';
  return EVENT_PRIVILEGES[event as keyof AgentToServerEvents];
}
