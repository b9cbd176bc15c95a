/** What a fuzz run must show, for the smoke test and `make fuzz` alike. */
import type { FuzzReport } from './fuzz-run.ts';

/** Resident memory may stay this much above where it was before the attack. */
export const RSS_BOUND = 128 * 1024 * 1024;

/** Every way the run failed; empty when it held. */
export function fuzzFailures(report: FuzzReport, exitCode: number | null): string[] {
  const failures: string[] = [];
  if (exitCode !== null) failures.push(`the node exited with ${exitCode}`);
  const expected = Array.from({ length: report.legitSent - 1 }, (_, i) => i + 2);
  if (report.legitReceived.join() !== expected.join())
    failures.push(
      `the legitimate agent received ${report.legitReceived.length} of ${expected.length} batches, or out of order`,
    );
  if (report.uncounted.length > 0)
    failures.push(`attacks with no drop counted: ${report.uncounted.join(', ')}`);
  if (!(report.rssAfter < report.rssBefore + RSS_BOUND))
    failures.push(
      `resident memory ${Math.round(report.rssAfter / 2 ** 20)} MiB after, ${Math.round(report.rssBefore / 2 ** 20)} MiB before`,
    );
  return failures;
}

/** One line per reason, for the log of a run. */
export function describeFuzz(report: FuzzReport): string {
  const reasons = [...report.droppedByReason]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `  ${r}: ${n}`)
    .join('\n');
  const connections = [...report.connectionsDropped].map(([r, n]) => `  ${r}: ${n}`).join('\n');
  return [
    `seed ${report.seed}: ${report.framesSent} hostile frames`,
    `messages dropped by reason:\n${reasons}`,
    `connections dropped by reason:\n${connections || '  none'}`,
    `legit batches: ${report.legitReceived.length} received of ${report.legitSent - 1} sent`,
    `resident memory: ${Math.round(report.rssBefore / 2 ** 20)} MiB before, ${Math.round(report.rssAfter / 2 ** 20)} MiB after`,
  ].join('\n');
}
