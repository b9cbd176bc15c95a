/** Structured logs: one JSON line per event, on stderr, with the resource it is about. */

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  debug(fields: LogFields, message: string): void;
}

const levels = { debug: 20, info: 30, warn: 40, error: 50 } as const;
export type LogLevel = keyof typeof levels;

/** A logger writing JSON lines through `write` (stderr by default) at `level` and above. */
export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
  base: LogFields = {},
): Logger {
  const emit = (at: LogLevel) => (fields: LogFields, msg: string) => {
    if (levels[at] < levels[level]) return;
    write(
      `${JSON.stringify({ level: at, time: new Date().toISOString(), ...base, ...fields, msg })}\n`,
    );
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
