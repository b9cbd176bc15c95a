/**
 * Agent privileges, read from a claim of the agent's token. Viewing a session by its code needs
 * `cobrowse:monitor`; asking the customer for control needs `cobrowse:control`; listing and
 * watching any session needs `cobrowse:supervise`. Nothing is implied: each is granted on its own.
 */
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
