/** Structured logs: one JSON line per event, never with page content or masked data. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'tandem' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? process.stdout,
  );
}
