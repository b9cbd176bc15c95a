/** Log lines that a storm of bad input cannot multiply past a few a second. */

/**
 * At most `perSecond` log lines a second over every caller, so that a storm cannot flood the
 * log; the next line written says how many were suppressed.
 */
export function createLogSampler(
  perSecond: number,
  now: () => number = Date.now,
): (write: (suppressed: number) => void) => void {
  let window = 0;
  let lines = 0;
  let suppressed = 0;
  return (write) => {
    const t = now();
    if (t - window >= 1000) {
      window = t;
      lines = 0;
    }
    if (++lines > perSecond) {
      suppressed++;
      return;
    }
    write(suppressed);
    suppressed = 0;
  };
}
