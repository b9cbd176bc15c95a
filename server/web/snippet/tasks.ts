/** Running work in slices on the page's main thread, between which the page's own tasks run. */

/** A task queue that is not clamped to 4 ms like nested timers, nor paused like idle callbacks. */
export function messageChannelYield(win: Window): (task: () => void) => void {
  const Channel = (win as Window & typeof globalThis).MessageChannel ?? MessageChannel;
  const channel = new Channel();
  const queue: Array<() => void> = [];
  channel.port1.onmessage = () => queue.shift()?.();
  return (task) => {
    queue.push(task);
    channel.port2.postMessage(null);
  };
}
