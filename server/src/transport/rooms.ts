/** Room names and the announcements that go to everyone in a session, on whichever node. */
import type { EndReason } from '../protocol/index.ts';
import { viewOf } from '../session/session.ts';
import type { SessionRecord } from '../store/index.ts';
import type { Namespaces } from './socket-types.ts';

export type { Namespaces, SessionData } from './socket-types.ts';

export const customerRoom = (sessionId: string): string => `customer:${sessionId}`;
export const agentsRoom = (sessionId: string): string => `agents:${sessionId}`;

/** Tells both sides who is in the session now. */
export function announceState(ns: Namespaces, session: SessionRecord): void {
  const view = viewOf(session);
  ns.customers.to(customerRoom(session.id)).emit('session:state', view);
  ns.agents.to(agentsRoom(session.id)).emit('session:state', view);
}

/** Tells both sides the session is over and takes every socket out of its rooms. */
export function announceEnded(ns: Namespaces, sessionId: string, reason: EndReason): void {
  ns.customers.to(customerRoom(sessionId)).emit('session:ended', { reason });
  ns.agents.to(agentsRoom(sessionId)).emit('session:ended', { reason });
  ns.customers.in(customerRoom(sessionId)).socketsLeave(customerRoom(sessionId));
  ns.agents.in(agentsRoom(sessionId)).socketsLeave(agentsRoom(sessionId));
}
