/**
 * Replays a trace through open sessions at fixed rates and stamps latency in this one process:
 * the customer writes `sentAt` from this process's monotonic clock, the agent reads it back from
 * the head of the frame it receives. Only messages sent inside the measurement window count.
 */
import type { BenchSession } from './contenders.ts';
import { cpuMeter } from './processes.ts';
import { SampleBuffer } from './stats.ts';
import type { Trace } from './trace.ts';

export interface LoadOptions {
  /** Batches per second per session. */
  batchRate: number;
  /** Pointer messages per second per session. */
  pointerRate: number;
  warmupMs: number;
  durationMs: number;
  /** How long to wait after the window for messages still in flight. Default 2000 ms. */
  drainMs?: number;
  /**
   * Tandem's snippet: pointer samples are reported at most this often, the latest position
   * riding the next batch when one goes first (a `pointer` field) and a `page:pointer` of its
   * own otherwise. Absent: every sample is a message of its own (the baselines).
   */
  pointerReportMs?: number;
}

export interface LoadResult {
  /** Customer send → agent receive, ms, one per batch received from the window. */
  latencies: number[];
  batchesSent: number;
  batchesReceived: number;
  pointersSent: number;
  pointersReceived: number;
  /** Frame bytes the agents received in the window. */
  bytesReceived: number;
  /** Share of one core the generator used during the window (0..1+). */
  generatorCpu: number;
  windowMs: number;
}

const SENT_AT = '"sentAt":';

function sentAtOf(frame: string): number {
  const at = frame.indexOf(SENT_AT);
  if (at < 0) return Number.NaN;
  const start = at + SENT_AT.length;
  let end = start;
  while (end < frame.length && frame.charCodeAt(end) !== 44 && frame.charCodeAt(end) !== 125) end++;
  return Number(frame.slice(start, end));
}

export async function runLoad(
  sessions: readonly BenchSession[],
  trace: Trace,
  options: LoadOptions,
): Promise<LoadResult> {
  const latencies = new SampleBuffer();
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  const inWindow = (t: number): boolean => t >= windowStart && t < windowEnd;
  let batchesSent = 0;
  let batchesReceived = 0;
  let pointersSent = 0;
  let pointersReceived = 0;
  let bytesReceived = 0;

  const snapshotJson = JSON.stringify(trace.snapshot).slice(1);
  sessions.forEach((session, index) => {
    session.agent.onFrame((event, frame) => {
      const now = performance.now();
      if (event === 'page:batch') {
        const sentAt = sentAtOf(frame);
        if (!inWindow(sentAt)) return;
        batchesReceived++;
        bytesReceived += frame.length;
        latencies.add(now - sentAt);
        if (frame.includes('"pointer":{')) pointersReceived++;
      } else if (event === 'page:pointer' && now >= windowStart && now < windowEnd) {
        pointersReceived++;
        bytesReceived += frame.length;
      }
    });
    // Tandem asks for a fresh snapshot when too many batches followed the last one.
    session.customer.onFrame((event) => {
      if (event === 'page:resync')
        session.customer.emit('page:snapshot', `{"seq":${session.seq++},${snapshotJson}`);
    });
    void index;
  });

  // Each session has its own phase so that sends spread over the tick, as real customers do.
  const phases = sessions.map((_, i) => (i * 0.618034) % 1);
  const batchCounts = sessions.map(() => 0);
  const pointerCounts = sessions.map(() => 0);
  const reportMs = options.pointerReportMs;
  /** Tandem only: the sample waiting to be reported, and when the last report went. */
  const pendingPointers: Array<string | undefined> = sessions.map(() => undefined);
  const lastReports = sessions.map(() => Number.NEGATIVE_INFINITY);
  let cpuInWindow = 0;
  let meter: (() => number) | undefined;

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      if (!meter && now >= windowStart) meter = cpuMeter();
      if (now >= windowEnd) {
        clearInterval(timer);
        cpuInWindow = meter ? meter() : 0;
        resolve();
        return;
      }
      const elapsed = (now - start) / 1000;
      for (let i = 0; i < sessions.length; i++) {
        const session = sessions[i]!;
        if (session.customer.closed) continue;
        const dueBatches = Math.floor(elapsed * options.batchRate + phases[i]!);
        while (batchCounts[i]! < dueBatches) {
          const ops = trace.batches[(batchCounts[i]! + i) % trace.batches.length]!;
          const sentAt = performance.now();
          const pointer = pendingPointers[i];
          pendingPointers[i] = undefined;
          if (pointer !== undefined) lastReports[i] = sentAt;
          session.customer.emit(
            'page:batch',
            `{"seq":${session.seq++},"sentAt":${sentAt},"ops":${ops}${pointer === undefined ? '' : `,"pointer":${pointer}`}}`,
          );
          batchCounts[i]!++;
          if (inWindow(sentAt)) batchesSent++;
        }
        const duePointers = Math.floor(elapsed * options.pointerRate + phases[i]!);
        while (pointerCounts[i]! < duePointers) {
          const sample = trace.pointers[pointerCounts[i]! % trace.pointers.length]!;
          if (reportMs === undefined) session.customer.emit('page:pointer', sample);
          else pendingPointers[i] = sample;
          pointerCounts[i]!++;
          if (inWindow(now)) pointersSent++;
        }
        const pending = pendingPointers[i];
        if (reportMs !== undefined && pending !== undefined && now - lastReports[i]! >= reportMs) {
          session.customer.emit('page:pointer', pending);
          pendingPointers[i] = undefined;
          lastReports[i] = now;
        }
      }
    };
    const timer = setInterval(tick, 2);
  });

  const drainUntil = performance.now() + (options.drainMs ?? 2000);
  while (batchesReceived < batchesSent && performance.now() < drainUntil)
    await new Promise((resolve) => setTimeout(resolve, 20));
  for (const session of sessions) {
    session.agent.onFrame(() => undefined);
    session.customer.onFrame(() => undefined);
  }
  return {
    latencies: latencies.toArray(),
    batchesSent,
    batchesReceived,
    pointersSent,
    pointersReceived,
    bytesReceived,
    generatorCpu: cpuInWindow,
    windowMs: options.durationMs,
  };
}
