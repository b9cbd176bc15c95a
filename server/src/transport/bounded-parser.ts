/**
 * Socket.IO's parser with the protocol's bounds in front of it: every inbound frame is checked
 * (frame-check.ts) before Socket.IO dispatches it, so no event, registered or not, reaches
 * `emit` with thousands of arguments, a megabyte where a pointer belongs, or a binary attachment
 * it does not take. Refusals are counted in `tandem_messages_dropped_total` and logged (sampled).
 *
 * Socket.IO builds one decoder per Engine.IO connection, so a decoder's state (its byte budget,
 * its CONNECT count) is that connection's.
 */
import { Decoder, Encoder, type Packet } from 'socket.io-parser';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { FRAME_LIMITS } from '../protocol/frame-limits.ts';
import { createLogSampler } from '../observability/log-sampler.ts';
import {
  checkEvent,
  checkText,
  eventLabel,
  namespaceLabel,
  PACKET,
  readHead,
  type DecodedPacket,
  type FrameError,
  type FrameRules,
} from './frame-check.ts';

export interface BoundedParserOptions {
  rules: FrameRules;
  log: Logger;
  metrics: Metrics;
  /** Inbound bytes per second one connection may send, with bursts of twice that. Default `rules.pageBytes`. */
  bytesPerSecond?: number;
  now?: () => number;
}

/** What Socket.IO's `parser` option takes. */
export interface ParserModule {
  Encoder: typeof Encoder;
  Decoder: new () => Decoder;
}

/** A frame refused with a verdict that closes the connection; already counted. */
class FrameRefused extends Error {}

/** The decoder's side door for the namespaces: a connection to `nsp` was accepted. */
const ACCEPTED = Symbol('accepted');

interface AcceptingDecoder {
  [ACCEPTED](nsp: string): void;
}

/**
 * Tells the connection's decoder that its socket of this namespace passed the namespace's
 * middlewares (origin, token): only then are its events let through. Until then (and for good
 * after a refusal) Socket.IO would close the connection on an event without a word; the decoder
 * counts it first (`bad_namespace`). Called on every namespace `connection`.
 */
export function acceptNamespace(socket: { client: unknown; nsp: { name: string } }): void {
  const decoder = (socket.client as { decoder?: Partial<AcceptingDecoder> }).decoder;
  decoder?.[ACCEPTED]?.(socket.nsp.name);
}

/** A parser module whose decoders enforce `options.rules`. */
export function createBoundedParser(options: BoundedParserOptions): ParserModule {
  const { rules, log, metrics } = options;
  const now = options.now ?? Date.now;
  const rate = options.bytesPerSecond ?? rules.pageBytes;
  const burst = 2 * (rate + FRAME_LIMITS.framingBytes);
  const sample = createLogSampler(10, now);

  const refuse = (reason: FrameError, nsp: string, event: unknown, bytes: number): void => {
    metrics.messagesDropped.inc({
      namespace: namespaceLabel(rules, nsp),
      event: eventLabel(rules, nsp, event),
      reason,
    });
    sample((suppressed) =>
      log.warn(
        {
          namespace: namespaceLabel(rules, nsp),
          event: typeof event === 'string' ? event.slice(0, 64) : undefined,
          code: reason,
          bytes,
          ...(suppressed > 0 && { suppressed }),
        },
        'frame refused',
      ),
    );
  };

  class BoundedDecoder extends Decoder {
    private readonly inner = new Decoder({ maxAttachments: 1 });
    private tokens = burst;
    private last = now();
    private connects = 0;
    /**
     * Namespaces whose CONNECT the server accepted (acceptNamespace) and that the connection has
     * not left: the only ones its other packets may name.
     */
    private readonly joined = new Set<string>();
    /**
     * A binary head waiting for its attachment; `frame` null when the head was refused (its
     * attachment is then dropped with it).
     */
    private pending: { frame: string | null; nsp: string; event: string | undefined } | null = null;
    /** The packet being decoded came with an attachment. */
    private binaryPacket = false;
    /** Length of the frame being decoded, for the log line of a refusal after parsing. */
    private frameBytes = 0;
    /** Set while a packet is handed to Socket.IO: what it throws then is not the frame's fault. */
    private delivering = false;

    constructor() {
      super();
      this.inner.on('decoded', (packet: DecodedPacket) => this.decoded(packet));
    }

    override add(frame: unknown): void {
      if (typeof frame === 'string') this.addText(frame);
      else this.addBinary(frame);
    }

    [ACCEPTED](nsp: string): void {
      this.joined.add(nsp);
    }

    override destroy(): void {
      this.inner.destroy();
    }

    private addText(frame: string): void {
      if (this.pending !== null) {
        // Socket.IO's parser refuses text between a binary head and its attachment too.
        return this.refuse('bad_attachments', true, this.pending.nsp, this.pending.event, 0);
      }
      const head = readHead(frame);
      const binary = head?.type === PACKET.binaryEvent;
      if (head) {
        // The cheap checks first: a frame they refuse costs no parsing, and none of the budget.
        const verdict = checkText(frame, head, rules);
        if (!verdict.ok) {
          if (binary && !verdict.fatal)
            this.pending = { frame: null, nsp: head.nsp, event: head.event };
          return this.refuse(verdict.reason, verdict.fatal, head.nsp, head.event, frame.length);
        }
        if (head.type === PACKET.connect) {
          if (++this.connects > FRAME_LIMITS.maxConnects)
            return this.refuse('too_many_connects', false, head.nsp, 'connect', frame.length);
          // Passed on: Socket.IO answers "Invalid namespace", which a client can read.
          if (!rules.table.has(head.nsp))
            refuse('bad_namespace', head.nsp, 'connect', frame.length);
        } else if (
          (head.type === PACKET.disconnect || head.type === PACKET.event || binary) &&
          !this.joined.has(head.nsp)
        ) {
          // Not connected, still connecting, or refused: Socket.IO would close the connection
          // without a word, or a count.
          return this.refuse('bad_namespace', true, head.nsp, head.event, frame.length);
        } else if (head.type === PACKET.disconnect) {
          // Left: what it sends on the namespace from now on is refused alike.
          this.joined.delete(head.nsp);
        }
      }
      if (!this.take(frame.length)) {
        if (binary && head) this.pending = { frame: null, nsp: head.nsp, event: head.event };
        return this.refuse('rate_limited', false, head?.nsp ?? '/', head?.event, frame.length);
      }
      // A binary head waits for its attachment, so that both are refused, or decoded, together.
      if (binary && head) this.pending = { frame, nsp: head.nsp, event: head.event };
      else this.decode(frame, head?.nsp ?? '/', frame.length, false);
    }

    private addBinary(frame: unknown): void {
      const bytes =
        frame instanceof ArrayBuffer || ArrayBuffer.isView(frame) ? frame.byteLength : 0;
      const pending = this.pending;
      if (pending === null) return this.refuse('bad_attachments', true, '/', undefined, bytes);
      this.pending = null;
      // Its head was refused, and counted.
      if (pending.frame === null) return;
      if (bytes > rules.pageBytes)
        return this.refuse('payload_too_large', false, pending.nsp, pending.event, bytes);
      if (!this.take(bytes))
        return this.refuse('rate_limited', false, pending.nsp, pending.event, bytes);
      this.decode(pending.frame, pending.nsp, pending.frame.length, true);
      this.decode(frame, pending.nsp, bytes + pending.frame.length, true);
    }

    private decode(frame: unknown, nsp: string, bytes: number, binary: boolean): void {
      this.frameBytes = bytes;
      this.binaryPacket = binary;
      try {
        this.inner.add(frame);
      } catch (error) {
        // Socket.IO closes the connection on a frame its parser refuses; it is counted first.
        if (!(error instanceof FrameRefused) && !this.delivering)
          refuse('malformed_packet', nsp, undefined, bytes);
        throw error;
      } finally {
        this.delivering = false;
      }
    }

    private decoded(packet: DecodedPacket): void {
      if (packet.type === PACKET.event) {
        const verdict = checkEvent(packet, this.binaryPacket, rules);
        if (!verdict.ok) {
          const event = Array.isArray(packet.data) ? (packet.data[0] as unknown) : undefined;
          return this.refuse(verdict.reason, verdict.fatal, packet.nsp, event, this.frameBytes);
        }
      }
      // Errors thrown past here are Socket.IO's or a handler's, not the frame's.
      this.delivering = true;
      this.emitReserved('decoded', packet as Packet);
    }

    /** Counts and logs a refusal; a fatal one closes the connection (Socket.IO catches the throw). */
    private refuse(
      reason: FrameError,
      fatal: boolean,
      nsp: string,
      event: unknown,
      bytes: number,
    ): void {
      refuse(reason, nsp, event, bytes);
      if (fatal) throw new FrameRefused(reason);
    }

    /** The connection's inbound byte budget: a token bucket of `rate` bytes a second. */
    private take(bytes: number): boolean {
      const t = now();
      this.tokens = Math.min(burst, this.tokens + ((t - this.last) / 1000) * rate);
      this.last = t;
      if (this.tokens < bytes) return false;
      this.tokens -= bytes;
      return true;
    }
  }

  return { Encoder, Decoder: BoundedDecoder };
}
