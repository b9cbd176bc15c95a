/**
 * Resilience: sessions keep updating their pages through a network drop, a node restart and a
 * Redis restart, one disruption per phase, on two nodes behind HAProxy with Redis (AOF). Tandem's
 * clients resume and resync as the snippet and console do; bare Socket.IO on the same two nodes,
 * the same balancer and the same Redis is the contrast: it reconnects, but has no resume, replay
 * or resync, so what it misses is gone. Each repetition deploys afresh and runs the three phases
 * in turn; the contenders are interleaved by repetition.
 */
import { mintTestToken } from '../../test/support/agent-tokens.ts';
import type { Pinning } from '../lib/processes.ts';
import { summarize, type RepResult, type ScenarioResult } from '../lib/results.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { quantile } from '../lib/stats.ts';
import {
  BenchAgent,
  BenchCustomer,
  newLedger,
  type ClientContext,
  type Pair,
  type ReconnectSample,
} from '../resilience/clients.ts';
import { deployResilience, type Kind } from '../resilience/deployment.ts';
import { DISRUPTIONS, runPhase, type PhaseTiming } from '../resilience/phases.ts';

const CONTENDERS: Array<{ name: string; kind: Kind }> = [
  { name: 'socket.io', kind: 'socket.io' },
  { name: 'tandem', kind: 'tandem' },
];
const BASELINE = 'socket.io';

function timingOf(settings: BenchSettings): PhaseTiming {
  return {
    rate: settings.resilienceRate,
    leadMs: settings.resilienceLeadMs,
    dropMs: settings.resilienceDropMs,
    recoverTimeoutMs: 20_000,
    // Longer than the console's 2 s between resync requests, so a repair in progress is waited for.
    quietMs: settings.smoke ? 1000 : 3000,
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Customers on the first node, their agents on the second (pinned by the affinity cookie). */
async function openPairs(
  ctx: ClientContext,
  count: number,
  nodes: readonly [string, string],
): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const ledger = newLedger(ctx.now());
    const customer = new BenchCustomer(ctx, ledger, nodes[0], `room-${i}`);
    const code = await withTimeout(customer.code, 10_000, 'session start');
    pairs.push({ ledger, customer, agent: new BenchAgent(ctx, ledger, nodes[1], code) });
  }
  const deadline = performance.now() + 15_000;
  // Tandem's agents have the first snapshot; the baseline's are connected and receive.
  while (!pairs.every((p) => p.agent.isReceiving && p.customer.isReady)) {
    if (performance.now() > deadline) throw new Error('sessions did not open');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return pairs;
}

/** One repetition of one contender: a fresh deployment, then each disruption in turn. */
async function measureRep(
  kind: Kind,
  rep: number,
  settings: BenchSettings,
  pinning: Pinning,
  token: string,
): Promise<RepResult[]> {
  const dep = await deployResilience(kind, pinning);
  const samples: ReconnectSample[] = [];
  const ctx: ClientContext = {
    kind,
    url: dep.url,
    cookie: dep.cookie,
    now: () => performance.now(),
    samples,
    token,
  };
  let pairs: Pair[] = [];
  try {
    pairs = await openPairs(ctx, settings.resilienceSessions, dep.nodeNames);
    const results: RepResult[] = [];
    for (const disruption of DISRUPTIONS) {
      const outcome = await runPhase(dep, pairs, samples, disruption, timingOf(settings));
      results.push({ rep, figures: outcome.figures, samples: outcome.reconnects, valid: true });
    }
    return results;
  } finally {
    for (const p of pairs) {
      p.customer.close();
      p.agent.close();
    }
    await dep.stop();
  }
}

export async function runResilience(
  settings: BenchSettings,
  pinning: Pinning,
): Promise<ScenarioResult> {
  const token = await mintTestToken({ name: 'Bench' });
  // byName[contender][disruption] = that disruption's result in every repetition.
  const byName = new Map(CONTENDERS.map((c) => [c.name, DISRUPTIONS.map((): RepResult[] => [])]));
  for (let rep = 0; rep < settings.reps; rep++) {
    for (let k = 0; k < CONTENDERS.length; k++) {
      const contender = CONTENDERS[(k + rep) % CONTENDERS.length]!;
      let results: RepResult[];
      try {
        results = await measureRep(contender.kind, rep, settings, pinning, token);
      } catch (error) {
        const note = `failed: ${(error as Error).message}`;
        results = DISRUPTIONS.map(() => ({ rep, figures: {}, valid: false, note }));
      }
      results.forEach((r, i) => byName.get(contender.name)![i]!.push(r));
    }
  }
  const notes = [
    `${settings.resilienceSessions} sessions, each a customer on node 1 and an agent on node 2, ${settings.resilienceRate} page updates/s per session; ${settings.resilienceLeadMs} ms of steady updates before each disruption and after every client is back; network drop ${settings.resilienceDropMs} ms`,
    'deliveredPct: updates whose effect reached the agent (the batch, or a later snapshot showing it); stateEqualPct: agents whose page ends equal to the customer’s (socket.io: that received every update of the phase, as it never repairs a loss); reconnect: disconnect → resumed (customer) or rejoined and receiving (agent), over the snippet’s and console’s socket.io-client backoff (RECONNECT_OPTIONS: 250 ms, doubling to at most 1 s, ±50 %); sinceRestore: from the service being back (network up, Redis up; at once for a node restart, the other node serves)',
  ];
  const variants = DISRUPTIONS.map((d, i) => {
    const contenders = CONTENDERS.map((c) =>
      summarize(c.name, byName.get(c.name)![i]!, byName.get(BASELINE)![i]!),
    );
    for (const c of contenders) {
      const pooled = c.reps
        .filter((r) => r.valid)
        .flatMap((r) => r.samples ?? [])
        .sort((a, b) => a - b);
      if (pooled.length)
        notes.push(
          `${d.id}, ${c.name}: reconnect over all clients and repetitions p50 ${quantile(pooled, 0.5).toFixed(0)} ms, p95 ${quantile(pooled, 0.95).toFixed(0)} ms (${pooled.length} reconnections)`,
        );
    }
    return { label: d.label, contenders };
  });
  return {
    id: 'resilience',
    title: 'Resilience: network drop, node restart, Redis restart (2 nodes behind HAProxy)',
    baseline: BASELINE,
    headline: { figure: 'deliveredPct', unit: '%', lowerIsBetter: false },
    shown: [
      'deliveredPct',
      'stateEqualPct',
      'lost',
      'dupApplied',
      'reconnectP50Ms',
      'reconnectP95Ms',
      'sinceRestoreP95Ms',
      'maxDelayMs',
    ],
    target: '100% delivered, reconnect p95 ≤2 s',
    variants,
    notes,
  };
}
