/**
 * The audit log: one structured line per security event, marked `audit: true` so that it can be
 * shipped apart from the operational log (`jq 'select(.audit)'`). Every line has the same schema
 * ({@link AuditRecord}); the events and their required fields are in `audit-catalogue.ts`. Lines
 * name sessions and agents, never page content.
 */
import type { Logger } from '../observability/logger.ts';
import {
  AUDIT_EVENTS,
  isAuditEvent,
  type Audit,
  type AuditActor,
  type AuditDetail,
  type AuditEventName,
  type AuditOutcome,
} from './audit-catalogue.ts';

export type { Audit, AuditActor, AuditEventName } from './audit-catalogue.ts';

/** One audit record, as logged (inside the log line, next to pino's own fields). */
export interface AuditRecord {
  event: AuditEventName;
  outcome: AuditOutcome;
  /** When it happened (ms since epoch). */
  at: number;
  actor: AuditActor;
  session?: string;
  target?: string;
  reason?: string;
  detail?: AuditDetail;
}

/** Builds the record of one event: the outcome comes from the catalogue, never from the caller. */
export function buildAuditRecord(
  event: AuditEventName,
  fields: {
    actor: AuditActor;
    session?: string | undefined;
    target?: string;
    reason?: string;
    detail?: AuditDetail;
  },
  at: number,
): AuditRecord {
  return {
    event,
    outcome: AUDIT_EVENTS[event].outcome,
    at,
    actor: { subject: fields.actor.subject, name: fields.actor.name, role: fields.actor.role },
    ...(fields.session !== undefined && { session: fields.session }),
    ...(fields.target !== undefined && { target: fields.target }),
    ...(fields.reason !== undefined && { reason: fields.reason }),
    ...(fields.detail !== undefined && { detail: fields.detail }),
  };
}

const ROLES = new Set(['customer', 'agent', 'supervisor', 'system']);

/**
 * What is wrong with a logged audit line ([] when nothing): an unknown event, no actor (or one
 * without subject or role), no session where the catalogue needs one, no reason for a refusal.
 */
export function auditRecordProblems(line: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const event = line.event;
  if (typeof event !== 'string' || !isAuditEvent(event)) return [`unknown event ${String(event)}`];
  const spec = AUDIT_EVENTS[event];
  const actor = line.actor as Partial<AuditActor> | undefined;
  if (typeof actor !== 'object' || actor === null) problems.push('no actor');
  else {
    if (typeof actor.subject !== 'string' || actor.subject === '')
      problems.push('no actor subject');
    if (typeof actor.name !== 'string') problems.push('no actor name');
    if (!ROLES.has(String(actor.role))) problems.push(`actor role ${String(actor.role)}`);
  }
  if (spec.session && typeof line.session !== 'string') problems.push('no session');
  if (line.outcome !== spec.outcome) problems.push(`outcome ${String(line.outcome)}`);
  if (spec.outcome === 'refused' && typeof line.reason !== 'string') problems.push('no reason');
  return problems;
}

/** The simplest audit: each record straight to the log, unchained. */
export function createAudit(log: Logger, now: () => number = Date.now): Audit {
  const audit = log.child({ audit: true });
  return (event, fields) => {
    const record = buildAuditRecord(event, fields, now());
    audit.info(record, `audit: ${event}`);
  };
}
