/**
 * One disruption while every session keeps updating its page, and what it cost: how much of the
 * customers' updates reached their agents, whether each agent's page ends equal to its
 * customer's, duplicates applied, and how long each disconnected client took to recover.
 */
import { quantile } from '../lib/stats.ts';
import type { Pair, ReconnectSample } from './clients.ts';
import type { ResilienceDeployment } from './deployment.ts';

export interface PhaseTiming {
  /** Page updates per second per session. */
  rate: number;
  /** Steady updates before the disruption, and after every client has recovered. */
  leadMs: number;
  /** How long the network stays down in the drop phase. */
  dropMs: number;
  /** Longest wait for clients to recover, and for the stream to drain. */
  recoverTimeoutMs: number;
  /** A stream with no delivery for this long after the updates stop is taken as drained. */
  quietMs: number;
}

export interface Disruption {
  id: 'drop' | 'node' | 'redis';
  label: string;
  /** Disrupts; resolves with the time (performance.now) the service was available again. */
  run(dep: ResilienceDeployment, timing: PhaseTiming): Promise<number>;
}

export const DISRUPTIONS: Disruption[] = [
  {
    id: 'drop',
    label: 'network drop (every connection cut, new ones refused)',
    async run(dep, timing) {
      await dep.gate.drop(timing.dropMs);
      return performance.now();
    },
  },
  {
    id: 'node',
    label: "node restart (SIGTERM the customers' node, start it again)",
    async run(dep) {
      // The other node serves at once: the service is never away, only this node is.
      const at = performance.now();
      await dep.restartNode(dep.nodeNames[0]);
      return at;
    },
  },
  {
    id: 'redis',
    label: 'Redis restart (SIGTERM, start again; AOF keeps the data)',
    async run(dep) {
      await dep.restartRedis();
      return performance.now();
    },
  },
];

export interface PhaseOutcome {
  figures: Record<string, number>;
  /** Disconnect → recovered, ms, one per client disconnection. */
  reconnects: number[];
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await pause(20);
  }
  return true;
}

const recovered = (pairs: readonly Pair[]): boolean =>
  pairs.every((p) => p.customer.isReady && (p.agent.isReceiving || p.agent.gaveUp));

/** Runs one disruption under load and measures it. */
export async function runPhase(
  dep: ResilienceDeployment,
  pairs: readonly Pair[],
  samples: ReconnectSample[],
  disruption: Disruption,
  timing: PhaseTiming,
): Promise<PhaseOutcome> {
  const start = performance.now();
  const firstVersion = pairs.map((p) => p.customer.version + 1);
  const dupBefore = pairs.map((p) => p.ledger.dupApplied);
  const gapBefore = pairs.map((p) => p.ledger.gapApplied);
  // Sessions update at a fixed rate, each with its own phase so sends spread over the tick.
  const sent = pairs.map(() => 0);
  const offsets = pairs.map((_, i) => (i * 0.618034) % 1);
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    pairs.forEach((p, i) => {
      const due = Math.floor(elapsed * timing.rate + offsets[i]!);
      while (sent[i]! < due) {
        p.customer.update();
        sent[i]!++;
      }
    });
  }, 5);
  let restoredAt: number;
  try {
    await pause(timing.leadMs);
    restoredAt = await disruption.run(dep, timing);
    await until(() => recovered(pairs), timing.recoverTimeoutMs);
    await pause(timing.leadMs);
  } finally {
    clearInterval(ticker);
  }
  const stoppedAt = performance.now();
  await until(
    () =>
      pairs.every((p, i) => p.agent.isSettled(p.customer, firstVersion[i])) ||
      pairs.every((p) => performance.now() - p.ledger.lastActivity > timing.quietMs),
    timing.recoverTimeoutMs,
  );

  let made = 0;
  let delivered = 0;
  let maxDelay = 0;
  pairs.forEach((p, i) => {
    for (let v = firstVersion[i]!; v <= p.customer.version; v++) {
      made++;
      const at = p.ledger.deliveredAt[v];
      if (at === undefined) continue;
      delivered++;
      maxDelay = Math.max(maxDelay, at - p.ledger.madeAt[v]!);
    }
  });
  const mine = samples.filter((s) => s.disconnectedAt >= start && s.disconnectedAt < stoppedAt);
  const reconnects = mine.map((s) => s.recoveredAt - s.disconnectedAt);
  const sinceRestore = mine.map((s) => s.recoveredAt - Math.max(restoredAt, s.disconnectedAt));
  const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
  const settled = pairs.filter((p, i) => p.agent.isSettled(p.customer, firstVersion[i])).length;
  const unrecovered = pairs.reduce(
    (n, p) => n + (p.customer.isReady ? 0 : 1) + (p.agent.isReceiving ? 0 : 1),
    0,
  );
  return {
    reconnects,
    figures: {
      deliveredPct: made ? (100 * delivered) / made : Number.NaN,
      lost: made - delivered,
      dupApplied: pairs.reduce((n, p, i) => n + p.ledger.dupApplied - dupBefore[i]!, 0),
      gapApplied: pairs.reduce((n, p, i) => n + p.ledger.gapApplied - gapBefore[i]!, 0),
      stateEqualPct: (100 * settled) / pairs.length,
      reconnectP50Ms: quantile(sorted(reconnects), 0.5),
      reconnectP95Ms: quantile(sorted(reconnects), 0.95),
      sinceRestoreP95Ms: quantile(sorted(sinceRestore), 0.95),
      disconnects: mine.length + unrecovered,
      unrecovered,
      maxDelayMs: maxDelay,
      updates: made,
    },
  };
}
