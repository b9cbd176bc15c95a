/**
 * What one inbound Socket.IO frame may look like, per event, before any handler sees it. Keyed by
 * the event maps, so an inbound event without a bound does not compile. Every event takes at most
 * one payload (and an acknowledgement); only a packed snapshot carries a binary attachment.
 */
import { LIMITS } from './limits.ts';
import type { AgentToServerEvents, CustomerToServerEvents } from './messages.ts';

/** The bound of one inbound event. */
export interface FrameBound {
  /**
   * Largest encoded frame (UTF-16 units of the Socket.IO packet text). `page` means the node's
   * `limits.maxMessageBytes`, which `LIMITS.maxMessageBytes` caps.
   */
  maxBytes: number | 'page';
  /** The event may carry one binary attachment (the packed, deflated tree of a snapshot). */
  binary?: true;
}

/** A control message, a pointer, a code: small. */
const SMALL: FrameBound = { maxBytes: 8 * 1024 };
/** Carries a URL (up to `LIMITS.maxUrlLength` characters, each up to six as a JSON escape). */
const WITH_URL: FrameBound = { maxBytes: 6 * LIMITS.maxUrlLength + 4 * 1024 };

export const CUSTOMER_FRAMES: { readonly [K in keyof CustomerToServerEvents]: FrameBound } = {
  'session:start': WITH_URL,
  'session:resume': SMALL,
  'session:end': SMALL,
  'page:snapshot': { maxBytes: 'page', binary: true },
  'page:batch': { maxBytes: 'page' },
  'page:pointer': SMALL,
  'control:answer': SMALL,
  'control:revoke': SMALL,
  'page:navigating': WITH_URL,
  'page:paused': SMALL,
  'session:handoff': SMALL,
  'page:tab': SMALL,
  'annotation:dismiss': SMALL,
  'session:policy': SMALL,
};

export const AGENT_FRAMES: { readonly [K in keyof AgentToServerEvents]: FrameBound } = {
  'session:join': SMALL,
  'session:leave': SMALL,
  'session:end': SMALL,
  'page:resync': SMALL,
  'agent:pointer': SMALL,
  'sessions:list': SMALL,
  'session:watch': SMALL,
  'control:request': SMALL,
  'control:release': SMALL,
  'control:action': SMALL,
  'control:navigate': WITH_URL,
  'annotation:draw': SMALL,
  'annotation:clear': SMALL,
};

export const FRAME_LIMITS = {
  /** Payloads of one event, besides its name and acknowledgement. */
  maxArguments: 1,
  /**
   * Nesting of a frame's JSON: the tree's own depth (an element and its children array are two
   * levels each) plus the envelope.
   */
  maxDepth: 2 * LIMITS.maxDepth + 16,
  /** A namespace CONNECT (with the agent's token as its auth) or DISCONNECT. */
  maxControlBytes: 16 * 1024,
  /** Namespace CONNECTs on one Engine.IO connection (a reconnect opens a new connection). */
  maxConnects: 8,
  /** Socket.IO's framing around the payload, allowed on top of `limits.maxMessageBytes`. */
  framingBytes: 1024,
} as const;
