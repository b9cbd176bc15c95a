/**
 * A connection's handlers started in the order their messages arrived, even when one of them
 * waits for work off the event loop first (a snapshot being inflated): while it holds the
 * connection, the handlers of later messages queue behind it, so that a batch's store write is
 * never issued before the write of the snapshot it follows. (arrival-order.ts then keeps the
 * relays in order while the writes overlap.) Nothing waits when nothing holds, which is the
 * common case: the hot path stays inline.
 */
export class HandlerQueue {
  private holds = 0;
  private readonly backlog: Array<() => void> = [];

  /** @param maxWaiting handlers that may wait behind held work; past that `run` refuses. */
  constructor(private readonly maxWaiting: number) {}

  /** Runs `task` now, or once nothing holds; false (not run) when too many wait. */
  run(task: () => void): boolean {
    if (this.holds === 0) {
      task();
      return true;
    }
    if (this.backlog.length >= this.maxWaiting) return false;
    this.backlog.push(task);
    return true;
  }

  /**
   * Holds every later task until `work` settles (whichever way); then the waiting tasks run in
   * order, until one of them holds again.
   */
  hold(work: Promise<unknown>): void {
    this.holds++;
    const release = (): void => {
      this.holds--;
      this.drain();
    };
    work.then(release, release);
  }

  /** Tasks waiting now. */
  get waiting(): number {
    return this.backlog.length;
  }

  private drain(): void {
    while (this.holds === 0 && this.backlog.length > 0) this.backlog.shift()?.();
  }
}
