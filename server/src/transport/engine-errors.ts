/**
 * What breaks below Socket.IO's parser: an Engine.IO packet that does not decode (`parse error`),
 * or a WebSocket frame the ws library refuses (larger than `maxHttpBufferSize`, a bad opcode,
 * invalid UTF-8, a ping from a client). Engine.IO closes such a connection without a word; here
 * it is counted in `tandem_messages_dropped_total{namespace="engine"}` and logged (sampled).
 */
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createLogSampler } from '../observability/log-sampler.ts';
import type { FrameError } from './frame-check.ts';

/** Just what is used of an Engine.IO server and its connections. */
interface EngineLike {
  on(
    event: 'connection',
    listener: (conn: {
      once(event: 'close', listener: (reason: string, description?: unknown) => void): unknown;
    }) => void,
  ): unknown;
}

/** Why Engine.IO closed a connection, as a drop reason; null when it was not the peer's input. */
export function classifyEngineClose(reason: string, description?: unknown): FrameError | null {
  if (reason === 'parse error') return 'malformed_packet';
  if (reason !== 'transport error') return null;
  const message = description instanceof Error ? description.message : String(description ?? '');
  if (/max payload size exceeded|payload too large/i.test(message)) return 'payload_too_large';
  // ws's protocol errors (`Invalid WebSocket frame: …`), and Engine.IO's own.
  if (/invalid|heartbeat|utf-8/i.test(message)) return 'malformed_packet';
  // A reset or a broken pipe: the network, not the input.
  return null;
}

/** Counts and logs every Engine.IO connection closed for what its peer sent. */
export function countEngineRefusals(
  engine: EngineLike,
  { log, metrics, now }: { log: Logger; metrics: Metrics; now?: () => number },
): void {
  const sample = createLogSampler(10, now);
  engine.on('connection', (conn) => {
    conn.once('close', (reason, description) => {
      const code = classifyEngineClose(reason, description);
      if (!code) return;
      metrics.messagesDropped.inc({ namespace: 'engine', event: 'unknown', reason: code });
      sample((suppressed) =>
        log.warn(
          { namespace: 'engine', code, reason, ...(suppressed > 0 && { suppressed }) },
          'connection closed: frame refused',
        ),
      );
    });
  });
}
