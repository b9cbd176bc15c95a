/** How a supervisor's list shows a session: plain strings, computed without the DOM. */
import type { SessionSummary } from '../../src/protocol/index.ts';

export interface SessionRow {
  sessionId: string;
  /** The start of the session id: the list has no codes (the server never lists them). */
  shortId: string;
  origin: string;
  /** Path and query of the page, without the origin. */
  path: string;
  status: string;
  customer: string;
  agents: string;
  age: string;
}

const STATUS_LABELS: Record<SessionSummary['status'], string> = {
  waiting: 'Waiting for an agent',
  active: 'Active',
  ended: 'Ended',
};

/** A duration as a person reads it in a list: "12 s", "4 min", "2 h 5 min", "3 d". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

function pathOf(url: string, origin: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url.startsWith(origin) ? url.slice(origin.length) || '/' : url;
  }
}

export function describeSession(session: SessionSummary, now: number): SessionRow {
  return {
    sessionId: session.sessionId,
    shortId: session.sessionId.slice(0, 8),
    origin: session.origin,
    path: pathOf(session.url, session.origin),
    status: STATUS_LABELS[session.status],
    customer: session.customerConnected ? 'Connected' : 'Away',
    agents: session.agents.map((agent) => agent.name).join(', ') || 'None',
    age: formatAge(now - session.createdAt),
  };
}
