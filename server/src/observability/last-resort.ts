/**
 * The last resort: what no handler caught. A rejected promise, or an exception that unwound only
 * one message's handler inside Socket.IO's dispatch, leaves the node as it was: it is logged,
 * counted, and the node goes on. Any other exception may have left state half-written, so the
 * node drains (its sessions move to other nodes) and exits non-zero. Too many of either in a
 * minute means something loops: that drains too.
 */
import type { Logger } from './logger.ts';
import type { Counter } from 'prom-client';

/** What the last resort needs of `process`. */
export interface ProcessEvents {
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

export interface LastResortOptions {
  log: Logger;
  /** `tandem_uncaught_errors_total{kind, action}`. */
  counter: Counter<'kind' | 'action'>;
  /** Drains the node and exits with `code`; called once. */
  shutDown: (code: number, reason: string) => void;
  /** Errors survived in a minute before the node drains anyway. Default 20. */
  maxPerMinute?: number;
  now?: () => number;
}

/**
 * Frames of Socket.IO's event dispatch: an exception with one of them on its stack was thrown by
 * one message's handler (or by Socket.IO handing it over), and unwound only that.
 */
const DISPATCH_FRAMES = /\b(emitUntyped|Socket\.onevent|Socket\.dispatch|Socket\._onpacket)\b/;

/** Whether an uncaught exception leaves the rest of the node as it was. */
export function isContained(error: unknown): boolean {
  return error instanceof Error && DISPATCH_FRAMES.test(error.stack ?? '');
}

export function installLastResort(target: ProcessEvents, options: LastResortOptions): void {
  const { log, counter, shutDown } = options;
  const now = options.now ?? Date.now;
  const maxPerMinute = options.maxPerMinute ?? 20;
  let window = 0;
  let inWindow = 0;
  let exiting = false;

  const survive = (): boolean => {
    const t = now();
    if (t - window >= 60_000) {
      window = t;
      inWindow = 0;
    }
    return ++inWindow <= maxPerMinute;
  };
  const exit = (kind: string, reason: string): void => {
    counter.inc({ kind, action: 'exited' });
    if (exiting) return;
    exiting = true;
    shutDown(1, reason);
  };

  target.on('unhandledRejection', (reason) => {
    if (!survive()) {
      log.fatal({ err: reason }, 'unhandled rejections keep coming: draining and exiting');
      return exit('rejection', 'unhandledRejection');
    }
    counter.inc({ kind: 'rejection', action: 'continued' });
    // A stray rejection (a Redis command cut off by a reconnect, say) is a bug to log, not a
    // reason to drop every session on this node.
    log.error({ err: reason }, 'unhandled rejection');
  });

  target.on('uncaughtException', (error, origin) => {
    if (isContained(error) && survive()) {
      counter.inc({ kind: 'exception', action: 'continued' });
      log.error({ err: error, origin }, 'uncaught exception in a message handler: message dropped');
      return;
    }
    log.fatal({ err: error, origin }, 'uncaught exception: draining and exiting');
    exit('exception', 'uncaughtException');
  });
}
