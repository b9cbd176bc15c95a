/**
 * The audit log: one structured line per security event, marked `audit: true` so that it can be
 * shipped apart from the operational log. Lines name sessions and agents, never page content.
 */
import type { Logger } from '../observability/logger.ts';

export type AuditEvent =
  | 'session.started'
  | 'session.ended'
  | 'session.resumed'
  | 'session.resume_refused'
  | 'session.handoff'
  | 'agent.authenticated'
  | 'agent.refused'
  | 'agent.joined'
  | 'agent.left'
  | 'agent.expired'
  | 'code.refused'
  | 'code.locked_out'
  | 'sessions.listed'
  | 'control.requested'
  | 'control.granted'
  | 'control.denied'
  | 'control.revoked'
  | 'control.released'
  | 'control.refused'
  | 'control.navigated'
  | 'origin.refused';

export interface AuditFields {
  session?: string;
  agent?: string;
  agentName?: string;
  address?: string;
  origin?: string;
  code?: string;
  reason?: string;
  [key: string]: unknown;
}

export type Audit = (event: AuditEvent, fields?: AuditFields) => void;

export function createAudit(log: Logger): Audit {
  const audit = log.child({ audit: true });
  return (event, fields = {}) => audit.info({ ...fields, event }, `audit: ${event}`);
}
