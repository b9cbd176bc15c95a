/**
 * A node going away (SIGTERM, a rolling update) drains instead of dropping: it stops accepting,
 * lets in-flight messages finish, then closes each client's transport so that it reconnects,
 * through the load balancer, to another node and resumes from the store.
 */
import type { Server } from 'socket.io';

/** Counts handlers still running, so that a drain can wait for their writes. */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  track<T>(task: Promise<T>): Promise<T> {
    this.count += 1;
    return task.finally(() => {
      this.count -= 1;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Closes every client's transport (not `socket.disconnect()`, after which a client would not
 * reconnect on its own), so that each one reconnects elsewhere.
 */
export function closeTransports(io: Server): number {
  let closed = 0;
  for (const nsp of io._nsps.values()) {
    for (const socket of nsp.sockets.values()) {
      socket.conn.close();
      closed += 1;
    }
  }
  return closed;
}
