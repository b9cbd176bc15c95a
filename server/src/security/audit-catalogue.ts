/**
 * The catalogue of audit events: every security event a node records, with what it means, its
 * outcome and whether it belongs to a session. The audit function accepts only these names, with
 * the fields each requires (an actor always; a session and a reason where the entry says so), so
 * an event without its actor does not compile. `docs/codes.md` is generated from this file.
 */

/** Who did it. `subject` is the token's subject for agents, a stable pseudonym for the others. */
export interface AuditActor {
  subject: string;
  /** The display name (the token's name claim for agents). */
  name: string;
  role: AuditRole;
}

export type AuditRole = 'customer' | 'agent' | 'supervisor' | 'system';

export type AuditOutcome = 'success' | 'refused';

export interface AuditEventSpec {
  meaning: string;
  outcome: AuditOutcome;
  /** True when the event always names a session (and is chained in that session's audit). */
  session: boolean;
}

export const AUDIT_EVENTS = {
  'session.started': {
    meaning: 'A customer started a session.',
    outcome: 'success',
    session: true,
  },
  'session.ended': {
    meaning: 'The session ended (the reason says who or what ended it).',
    outcome: 'success',
    session: true,
  },
  'session.resumed': {
    meaning: "The customer's next page resumed the session with its credential.",
    outcome: 'success',
    session: true,
  },
  'session.resume_refused': {
    meaning: 'A resume was refused: a stolen, replayed, stale or malformed credential.',
    outcome: 'refused',
    session: true,
  },
  'session.handoff': {
    meaning: 'A hand-off credential was issued for another origin of the site.',
    outcome: 'success',
    session: true,
  },
  'agent.authenticated': {
    meaning: "An agent's token was verified at the agent namespace's handshake.",
    outcome: 'success',
    session: false,
  },
  'agent.refused': {
    meaning: 'An agent was refused: no valid token, or an event its token does not allow.',
    outcome: 'refused',
    session: false,
  },
  'agent.joined': {
    meaning: 'An agent joined a session by its code, or a supervisor started watching it.',
    outcome: 'success',
    session: true,
  },
  'agent.left': {
    meaning: 'An agent left the session (or its connection closed).',
    outcome: 'success',
    session: true,
  },
  'agent.expired': {
    meaning: "An agent's token expired; its connection was closed.",
    outcome: 'refused',
    session: false,
  },
  'code.refused': {
    meaning: 'A join by code was refused: unknown code, full session, rate limit or lockout.',
    outcome: 'refused',
    session: false,
  },
  'code.locked_out': {
    meaning: 'Too many wrong codes: the address and agent are locked out for a while.',
    outcome: 'refused',
    session: false,
  },
  'sessions.listed': {
    meaning: 'A supervisor listed the live sessions.',
    outcome: 'success',
    session: false,
  },
  'control.requested': {
    meaning: 'An agent asked the customer for control of the page.',
    outcome: 'success',
    session: true,
  },
  'control.granted': {
    meaning: 'The customer gave the agent (the target) control of the page.',
    outcome: 'success',
    session: true,
  },
  'control.denied': {
    meaning: "The customer said no to the agent's (the target's) request for control.",
    outcome: 'refused',
    session: true,
  },
  'control.revoked': {
    meaning: 'The customer took control back from the agent (the target).',
    outcome: 'success',
    session: true,
  },
  'control.released': {
    meaning: 'The agent gave control back, or lost it by leaving.',
    outcome: 'success',
    session: true,
  },
  'control.refused': {
    meaning: 'An agent action or navigation was refused (no privilege, no consent, read-only).',
    outcome: 'refused',
    session: true,
  },
  'control.navigated': {
    meaning: "An agent with control navigated the customer's tab.",
    outcome: 'success',
    session: true,
  },
  'origin.refused': {
    meaning: 'A connection or hand-off from an origin that is not allowed was refused.',
    outcome: 'refused',
    session: false,
  },
  'policy.mismatch': {
    meaning: 'The snippet enforced other masking rules than the server (tampered or stale).',
    outcome: 'refused',
    session: true,
  },
} as const satisfies Record<string, AuditEventSpec>;

export type AuditEventName = keyof typeof AUDIT_EVENTS;

type Spec<E extends AuditEventName> = (typeof AUDIT_EVENTS)[E];

/** Extra facts of an event: short values only, never page content. */
export type AuditDetail = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** The fields an event needs: always its actor; its session and reason where the catalogue says. */
export type AuditFieldsFor<E extends AuditEventName> = {
  actor: AuditActor;
  /** Whom or what the event is about (an agent's subject, a participant, a node, an origin). */
  target?: string;
  detail?: AuditDetail;
} & (Spec<E>['session'] extends true ? { session: string } : { session?: string | undefined }) &
  (Spec<E>['outcome'] extends 'refused' ? { reason: string } : { reason?: string });

/** Records one catalogued event; the record reaches the log once it is chained. */
export type Audit = <E extends AuditEventName>(event: E, fields: AuditFieldsFor<E>) => void;

/** True when `name` is a catalogued event. */
export function isAuditEvent(name: string): name is AuditEventName {
  return Object.hasOwn(AUDIT_EVENTS, name);
}
