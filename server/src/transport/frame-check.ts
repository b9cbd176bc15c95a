/**
 * Pure checks of one inbound Socket.IO frame, before and after Socket.IO's parser decodes it:
 * packet type, namespace, event, payload count, size and nesting. Nothing here touches a socket.
 */
import { FRAME_LIMITS, type FrameBound } from '../protocol/frame-limits.ts';

/** Why a frame was refused below the handlers; the `reason` of `tandem_messages_dropped_total`. */
export const FRAME_ERRORS = {
  malformed_packet: "Socket.IO's parser could not decode the frame.",
  bad_packet_type:
    'A packet type no client sends to a server (an acknowledgement, a connect error).',
  bad_attachments: 'A binary packet with other than one attachment, or an attachment out of place.',
  bad_namespace:
    'A namespace the server does not have, or one the connection did not connect to first.',
  unknown_event: 'An event the namespace does not have.',
  too_many_arguments: 'More payloads than an event takes.',
  too_deep: 'JSON nested deeper than the protocol allows.',
  payload_too_large: 'Larger than the event allows.',
  unexpected_binary: 'A binary attachment on an event that takes none.',
  too_many_connects: 'More namespace CONNECTs than one connection makes.',
  rate_limited: "More bytes than the connection's budget.",
} as const;

export type FrameError = keyof typeof FRAME_ERRORS;

/** Socket.IO packet types (socket.io-parser's `PacketType`). */
export const PACKET = {
  connect: 0,
  disconnect: 1,
  event: 2,
  ack: 3,
  connectError: 4,
  binaryEvent: 5,
  binaryAck: 6,
} as const;

/** The events each namespace takes, by namespace name (`/customer`). */
export type FrameTable = ReadonlyMap<string, Readonly<Record<string, FrameBound>>>;

export interface FrameRules {
  table: FrameTable;
  /** `limits.maxMessageBytes`: the bound of the page events, and of one binary attachment. */
  pageBytes: number;
}

/** The head of an encoded packet: `<type>[<attachments>-][/<nsp>,][<id>]<json>`. */
export interface FrameHead {
  type: number;
  attachments: number;
  nsp: string;
  /** Index of the JSON payload in the frame; the frame's length when there is none. */
  json: number;
  /** The event name as written, when the JSON starts with a plain string; else undefined. */
  event?: string;
}

export type Verdict = { ok: true } | { ok: false; reason: FrameError; fatal: boolean };

const OK: Verdict = { ok: true };
const drop = (reason: FrameError): Verdict => ({ ok: false, reason, fatal: false });
const close = (reason: FrameError): Verdict => ({ ok: false, reason, fatal: true });

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Reads a frame's head the way socket.io-parser does; null when it is not one. */
export function readHead(frame: string): FrameHead | null {
  const type = frame.charCodeAt(0) - 48;
  if (!(type >= 0 && type <= 9)) return null;
  let i = 1;
  let attachments = 0;
  if (type === PACKET.binaryEvent || type === PACKET.binaryAck) {
    const dash = frame.indexOf('-', 1);
    if (dash < 2 || dash > 8) return null;
    for (let j = 1; j < dash; j++) if (!isDigit(frame.charCodeAt(j))) return null;
    attachments = Number(frame.slice(1, dash));
    i = dash + 1;
  }
  let nsp = '/';
  if (frame.charCodeAt(i) === 47 /* / */) {
    const comma = frame.indexOf(',', i);
    const end = comma < 0 ? frame.length : comma;
    nsp = frame.slice(i, end);
    i = comma < 0 ? end : end + 1;
  }
  while (i < frame.length && isDigit(frame.charCodeAt(i))) i++;
  const head: FrameHead = { type, attachments, nsp, json: i };
  if (frame.charCodeAt(i) === 91 /* [ */ && frame.charCodeAt(i + 1) === 34 /* " */) {
    const close = frame.indexOf('"', i + 2);
    if (close > 0 && close - i - 2 <= 64) {
      const name = frame.slice(i + 2, close);
      if (!name.includes('\\')) head.event = name;
    }
  }
  return head;
}

/**
 * Whether the JSON from `from` on nests deeper than `limit` (arrays and objects; strings
 * skipped). Stops at the first level past the limit.
 */
export function nestsDeeper(text: string, from: number, limit: number): boolean {
  // A frame this short cannot open that many levels.
  if (text.length - from <= limit) return false;
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string: to the next quote not escaped by an odd run of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return false;
        let slashes = 0;
        while (text.charCodeAt(i - 1 - slashes) === 92) slashes++;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return false;
}

/** The bound of an event of a namespace; undefined for one it does not have. */
export function boundOf(rules: FrameRules, nsp: string, event: unknown): FrameBound | undefined {
  const events = rules.table.get(nsp);
  // Own keys only: `constructor` or `__proto__` are not events.
  return typeof event === 'string' && events && Object.hasOwn(events, event)
    ? events[event]
    : undefined;
}

/** The largest frame an event of a namespace may be (a small bound for an unknown one). */
export function maxFrameBytes(rules: FrameRules, nsp: string, event: string | undefined): number {
  const bound = boundOf(rules, nsp, event);
  if (!bound) return FRAME_LIMITS.maxControlBytes;
  return bound.maxBytes === 'page'
    ? rules.pageBytes + FRAME_LIMITS.framingBytes
    : Math.min(bound.maxBytes, rules.pageBytes + FRAME_LIMITS.framingBytes);
}

/**
 * Checks a text frame before it is parsed: its type, attachments, size for its event, and
 * nesting. A fatal verdict closes the connection (as Socket.IO does on a frame it cannot read);
 * another drops the frame (a binary head with its attachment) and keeps the connection. The page events' nesting is bounded by their
 * tree validator, the first code to read them: scanning megabytes here would cost as much as
 * parsing them.
 */
export function checkText(frame: string, head: FrameHead, rules: FrameRules): Verdict {
  switch (head.type) {
    case PACKET.connect:
    case PACKET.disconnect:
      if (frame.length > FRAME_LIMITS.maxControlBytes) return drop('payload_too_large');
      return nestsDeeper(frame, head.json, 8) ? drop('too_deep') : OK;
    case PACKET.event:
    case PACKET.binaryEvent: {
      const binary = head.type === PACKET.binaryEvent;
      if (binary && head.attachments !== 1) return close('bad_attachments');
      const bound = boundOf(rules, head.nsp, head.event);
      if (binary && !bound?.binary) return drop('unexpected_binary');
      if (frame.length > maxFrameBytes(rules, head.nsp, head.event))
        return drop('payload_too_large');
      if (
        (binary || bound?.maxBytes !== 'page') &&
        nestsDeeper(frame, head.json, FRAME_LIMITS.maxDepth)
      )
        return drop('too_deep');
      return OK;
    }
    case PACKET.ack:
    case PACKET.connectError:
    case PACKET.binaryAck:
      return close('bad_packet_type');
    default:
      // Not a type at all: Socket.IO's parser refuses it and says why.
      return OK;
  }
}

/** A decoded packet, as socket.io-parser gives it. */
export interface DecodedPacket {
  type: number;
  nsp: string;
  data?: unknown;
  id?: number;
}

/** Checks a decoded event: a name the namespace has, one payload at most, binary only where allowed. */
export function checkEvent(packet: DecodedPacket, binary: boolean, rules: FrameRules): Verdict {
  const data = packet.data;
  if (!Array.isArray(data)) return drop('malformed_packet');
  const bound = boundOf(rules, packet.nsp, data[0]);
  if (!bound) return drop('unknown_event');
  if (data.length - 1 > FRAME_LIMITS.maxArguments) return drop('too_many_arguments');
  if (binary && !bound.binary) return drop('unexpected_binary');
  return OK;
}

/** The namespace label of a metric: one of ours, or `other` (never a name a client chose). */
export function namespaceLabel(rules: FrameRules, nsp: string): string {
  return rules.table.has(nsp) ? nsp.slice(1) : 'other';
}

/** The event label of a metric: an event of the namespace, or `unknown`. */
export function eventLabel(rules: FrameRules, nsp: string, event: unknown): string {
  return boundOf(rules, nsp, event) ? (event as string) : 'unknown';
}
