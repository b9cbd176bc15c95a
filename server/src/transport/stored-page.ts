/**
 * The page as the store keeps it, sent to agents on this node: on a join, on an agent's resync,
 * and when this node's subscription to the other nodes' relays came back after Redis was away
 * (what was published meanwhile never reached it).
 */
import type { SessionService } from '../session/service.ts';
import { isPaused } from '../session/continuity.ts';
import type { PageBatch, PageSnapshot } from '../protocol/index.ts';
import { agentsRoom, customerRoom } from './rooms.ts';
import type { AgentSocket, Namespaces } from './socket-types.ts';
import { hasOutboundRoom } from './outbound-cap.ts';

/** Where the page's messages go: one agent's socket, or this node's agents of a session. */
export interface PageTarget {
  snapshot(snapshot: PageSnapshot): void;
  batch(batch: PageBatch): void;
  /** Whether the target can take one more stored batch now without nearing its outbound cap. */
  hasRoom?(): boolean;
}

/**
 * The room a catch-up keeps for each next batch. Batches are not measured (that would cost a
 * serialization each); most are a few KB, so the room of one large one is kept.
 */
const BATCH_ROOM_BYTES = 1024 * 1024;

/** One agent's socket as a page target. */
export const socketTarget = (socket: AgentSocket): PageTarget => ({
  snapshot: (snapshot) => socket.emit('page:snapshot', snapshot),
  batch: (batch) => socket.emit('page:batch', batch),
  hasRoom: () => hasOutboundRoom(socket, BATCH_ROOM_BYTES),
});

/**
 * Sends the stored snapshot and the batches after it; asks the customer for one when there is
 * none. A paused page sends agents nothing, not even the page before the pause. Agents drop
 * what they already have (the relay may bring the same messages), so sending twice is harmless.
 */
export async function sendStoredPage(
  target: PageTarget,
  sessionId: string,
  sessions: SessionService,
  namespaces: Namespaces,
): Promise<void> {
  const session = await sessions.get(sessionId);
  if (!session || isPaused(session)) return;
  const page = await sessions.catchUp(sessionId);
  if (!page.snapshot) {
    namespaces.customers
      .to(customerRoom(sessionId))
      .emit('page:resync', { reason: 'agent_joined' });
    return;
  }
  target.snapshot(page.snapshot);
  for (const batch of page.batches) {
    if (target.hasRoom && !target.hasRoom()) {
      // A history too heavy for one burst (canvas frames, say) would pass the agent's outbound
      // cap and get it dropped as it joins: the customer's current page is sent instead, to all.
      namespaces.customers.to(customerRoom(sessionId)).emit('page:resync', { reason: 'compact' });
      return;
    }
    target.batch(batch);
  }
}

/** Sends every session with an agent on this node its stored page, once per session. */
export async function resendStoredPages(
  sessions: SessionService,
  namespaces: Namespaces,
): Promise<number> {
  const ids = new Set<string>();
  for (const socket of namespaces.agents.sockets.values())
    if (socket.data.sessionId) ids.add(socket.data.sessionId);
  for (const sessionId of ids) {
    // This node's agents only: the other nodes' subscriptions may never have gone away.
    const room = namespaces.agents.local.to(agentsRoom(sessionId));
    const target: PageTarget = {
      snapshot: (snapshot) => room.emit('page:snapshot', snapshot),
      batch: (batch) => room.emit('page:batch', batch),
    };
    await sendStoredPage(target, sessionId, sessions, namespaces);
  }
  return ids.size;
}
