/** What a supervisor sees: every live session, without codes, tokens or page content. */
import type { SessionSummary } from '../protocol/index.ts';
import type { SessionRecord } from '../store/index.ts';

/** At most this many sessions are listed at once. */
export const MAX_LISTED_SESSIONS = 500;

export interface SessionSource {
  list(): Promise<string[]>;
  get(id: string): Promise<SessionRecord | null>;
}

export function summarize(session: SessionRecord): SessionSummary {
  return {
    sessionId: session.id,
    status: session.status,
    origin: session.origin,
    url: session.url,
    createdAt: session.createdAt,
    agents: session.agents.map((a) => ({ id: a.id, name: a.name })),
    customerConnected: session.customerConnected,
  };
}

export async function listSessions(source: SessionSource): Promise<SessionSummary[]> {
  const ids = (await source.list()).slice(0, MAX_LISTED_SESSIONS);
  const records = await Promise.all(ids.map((id) => source.get(id)));
  return records
    .filter((s): s is SessionRecord => s !== null && s.status !== 'ended')
    .sort((a, b) => a.createdAt - b.createdAt)
    .map(summarize);
}
