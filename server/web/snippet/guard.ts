/**
 * One wrapper keeps the snippet's own errors out of the host page: every callback the snippet
 * hands to the browser (listeners, observers, timers, socket handlers) goes through `guard`.
 * A bug in the snippet must never break the site it is embedded in.
 */
let reported = 0;
const MAX_REPORTS = 5;

/** Reports an error (or a refusal) on the console, a few times at most. */
export function report(error: unknown): void {
  // A few warnings help whoever debugs an integration; a flood would drown the host's console.
  if (reported >= MAX_REPORTS) return;
  reported += 1;
  try {
    // eslint-disable-next-line no-console -- the one place the snippet speaks to the host's console
    console.warn('[tandem] internal error', error);
  } catch {
    // The console itself may be patched by the host; nothing more to do.
  }
}

/** Wraps `fn` so that it never throws; an error is reported and `undefined` returned instead. */
export function guard<A extends unknown[], R>(
  fn: (...args: A) => R,
): (...args: A) => R | undefined {
  return (...args: A): R | undefined => {
    try {
      return fn(...args);
    } catch (error) {
      report(error);
      return undefined;
    }
  };
}

/** Runs `fn` at once under the same protection as {@link guard}. */
export function attempt<R>(fn: () => R): R | undefined {
  return guard(fn)();
}
