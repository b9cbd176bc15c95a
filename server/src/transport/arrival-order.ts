/**
 * Keeps one connection's relays in the order its messages arrived, while their store writes run
 * pipelined. A snapshot's handler awaits more of the store than a batch's (the page's state, the
 * activity stamp), so without this the batch that follows a snapshot could reach the agents
 * first: they would see a gap, ask for a resync, and a late copy of the snapshot could then undo
 * what they had applied since.
 */
export class ArrivalOrder {
  private taken = 0;
  private released = 0;
  /** Relays whose turn has not come yet, by place (null: the message relays nothing). */
  private readonly held = new Map<number, (() => void) | null>();

  /** Takes the next place in line, synchronously on arrival; release it exactly once. */
  take(): number {
    return this.taken++;
  }

  /**
   * Gives up `place` with what it relays (null for a dropped message), then runs every relay
   * whose predecessors are all released, in order.
   */
  release(place: number, relay: (() => void) | null): void {
    this.held.set(place, relay);
    while (this.held.has(this.released)) {
      const next = this.held.get(this.released);
      this.held.delete(this.released);
      this.released += 1;
      next?.();
    }
  }

  /** Places taken and not yet relayed (for tests and diagnostics). */
  get pending(): number {
    return this.taken - this.released;
  }
}

/**
 * Runs `handle` in its place: it resolves to the relay to run in arrival order (or null), and its
 * place is released however it ends, so that one failed message never holds up the ones after it.
 */
export async function inArrivalOrder(
  order: ArrivalOrder,
  handle: () => Promise<(() => void) | null>,
): Promise<void> {
  const place = order.take();
  let relay: (() => void) | null = null;
  try {
    relay = await handle();
  } finally {
    order.release(place, relay);
  }
}
