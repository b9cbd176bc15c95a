/**
 * Sessions per core: what a live session costs. Every session does the same customer activity as
 * the relay scenario (10 DOM batches/s of ~2 KB and 30 pointer samples/s, relayed to one agent);
 * the count ramps up until p99 passes 50 ms or a batch is lost. Every server process shares the
 * one server core, so the last count that passed is the sessions one core carries.
 *
 * Beside it, the CPU each server process spent per 1,000 relayed messages at that step, so that
 * scaling can be read without a core per process: on two nodes, the customer's node and the
 * agent's node are reported apart, and their sum is compared with one node's.
 */
import {
  closeSessions,
  deploy,
  openSession,
  pointerReportMsOf,
  SNIPPET_POINTER_REPORT_MS,
  type BenchSession,
  type ContenderSpec,
  type Deployment,
  type StartContext,
} from '../lib/contenders.ts';
import { runLoad } from '../lib/load.ts';
import {
  GENERATOR_CPU_LIMIT,
  interleave,
  type RepResult,
  type ScenarioResult,
} from '../lib/results.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { percentiles } from '../lib/stats.ts';
import type { Trace } from '../lib/trace.ts';

/** The bound a session count must stay within to count as carried. */
export const P99_BOUND_MS = 50;
const BATCH_RATE = 10;
const POINTER_RATE = 30;

const ONE_NODE: ContenderSpec[] = [
  { name: 'socket.io', kind: 'socket.io', nodes: 1 },
  { name: 'tandem', kind: 'tandem', nodes: 1 },
];

const TWO_NODES: ContenderSpec[] = [
  { name: 'socket.io sharded', kind: 'socket.io', nodes: 2, adapter: 'sharded' },
  { name: 'tandem sharded', kind: 'tandem', nodes: 2, adapter: 'sharded' },
];

/** What one step of the ramp measured. */
export interface StepResult {
  sessions: number;
  p99Ms: number;
  lost: number;
  /** Customer events of the window (batches and pointer samples), whatever frames carried them. */
  relayed: number;
  /** CPU ms each server process spent in the step, per 1,000 customer events relayed. */
  cpuMsPer1k: number[];
  /** Share of the server core all server processes used over the window. */
  serverCores: number;
  /** Resident memory of all server processes after the step, in bytes. */
  rss: number;
  generatorCpu: number;
}

/** Why a ramp stopped where it did: the first step that broke a bound, or none. */
export function verdictOf(step: StepResult): string | null {
  if (step.generatorCpu > GENERATOR_CPU_LIMIT)
    return `generator-bound at ${step.sessions} sessions (a lower bound)`;
  if (step.lost > 0) return `${step.sessions} sessions: ${step.lost} batches lost`;
  if (!(step.p99Ms <= P99_BOUND_MS))
    return `${step.sessions} sessions: p99 ${step.p99Ms.toFixed(1)} ms > ${P99_BOUND_MS} ms`;
  return null;
}

/** Opens sessions until there are `count`, a few at a time, numbering on from those open. */
async function growTo(
  dep: Deployment,
  sessions: BenchSession[],
  count: number,
  trace: Trace,
): Promise<void> {
  while (sessions.length < count) {
    const chunk = Math.min(20, count - sessions.length);
    const base = sessions.length;
    sessions.push(
      ...(await Promise.all(
        Array.from({ length: chunk }, (_, j) => openSession(dep, base + j, trace)),
      )),
    );
  }
}

async function measureStep(
  dep: Deployment,
  sessions: BenchSession[],
  trace: Trace,
  settings: BenchSettings,
): Promise<StepResult> {
  const before = await Promise.all(dep.servers.map((s) => s.stats(false)));
  const started = performance.now();
  const result = await runLoad(sessions, trace, {
    ...activityOf(dep.spec),
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
  });
  const elapsedMs = performance.now() - started;
  const after = await Promise.all(dep.servers.map((s) => s.stats(false)));
  // CPU over the whole step (warm-up and drain too) against the customer events of the window
  // (batches and pointer samples: the same activity for every contender, however many frames
  // carry it), scaled by the share of the step the window was: the rates are steady.
  const windowShare = result.windowMs / elapsedMs;
  const relayed = result.batchesSent + result.pointersSent;
  const cpuMs = after.map((a, i) => (a.cpuMicros - before[i]!.cpuMicros) / 1000);
  return {
    sessions: sessions.length,
    p99Ms: percentiles(result.latencies).p99,
    lost: result.batchesSent - result.batchesReceived,
    relayed,
    cpuMsPer1k: cpuMs.map((ms) => (relayed > 0 ? (ms * windowShare * 1000) / relayed : NaN)),
    serverCores: cpuMs.reduce((n, ms) => n + ms, 0) / elapsedMs,
    rss: after.reduce((n, s) => n + s.rss, 0),
    generatorCpu: result.generatorCpu,
  };
}

/** Every step's customer activity, as the contender's customers send it. */
function activityOf(spec: ContenderSpec) {
  const reportMs = pointerReportMsOf(spec);
  return {
    batchRate: BATCH_RATE,
    pointerRate: POINTER_RATE,
    drainMs: 1000,
    ...(reportMs !== undefined && { pointerReportMs: reportMs }),
  };
}

async function warmUp(
  dep: Deployment,
  sessions: readonly BenchSession[],
  trace: Trace,
  settings: BenchSettings,
): Promise<void> {
  await runLoad(sessions, trace, {
    ...activityOf(dep.spec),
    warmupMs: 0,
    durationMs: settings.warmupMs * 3,
  });
}

/**
 * The figures of a ramp: those of the last step that held, and why the next one did not. A ramp
 * whose first step already broke a bound is invalid, but keeps that step's figures.
 */
export function rampFigures(steps: readonly StepResult[]): {
  figures: Record<string, number>;
  note: string;
  valid: boolean;
} {
  let held: StepResult | undefined;
  let note = 'every step held (the ramp is too short to find the limit)';
  for (const step of steps) {
    const verdict = verdictOf(step);
    if (verdict) {
      note = verdict;
      break;
    }
    held = step;
  }
  const shown = held ?? steps[0];
  if (!shown) return { figures: {}, note: 'no step ran', valid: false };
  const figures: Record<string, number> = {
    sessions: held ? held.sessions : 0,
    p99Ms: shown.p99Ms,
    cpuMsPer1k: shown.cpuMsPer1k.reduce((n, ms) => n + ms, 0),
    serverCores: shown.serverCores,
    // Sessions a whole core would carry at this step's cost: comparable even where the ramp
    // stopped for the generator's sake rather than the server's.
    sessionsPerCoreByCpu: shown.serverCores > 0 ? shown.sessions / shown.serverCores : NaN,
    rssPerSessionKB: shown.rss / shown.sessions / 1024,
  };
  shown.cpuMsPer1k.forEach((ms, i) => (figures[`cpuMsPer1kNode${i + 1}`] = ms));
  return { figures, note: held ? note : `no step held: ${note}`, valid: held !== undefined };
}

async function measureRamp(
  spec: ContenderSpec,
  rep: number,
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<RepResult> {
  const dep = await deploy(spec, ctx);
  const sessions: BenchSession[] = [];
  const steps: StepResult[] = [];
  try {
    for (const count of settings.rampSessionCounts) {
      await growTo(dep, sessions, count, trace);
      // A fresh process's first seconds measure its JIT, not its steady state: the first step
      // runs once unmeasured, so that the ramp does not stop at a warm-up spike.
      if (steps.length === 0) await warmUp(dep, sessions, trace, settings);
      const step = await measureStep(dep, sessions, trace, settings);
      steps.push(step);
      if (verdictOf(step)) break;
    }
  } finally {
    closeSessions(sessions);
    await dep.stop();
  }
  const { figures, note, valid } = rampFigures(steps);
  return {
    rep,
    figures,
    generatorCpu: Math.max(0, ...steps.map((s) => s.generatorCpu)),
    valid,
    note: `${note}; steps: ${steps.map((s) => `${s.sessions}→p99 ${s.p99Ms.toFixed(1)} ms`).join(', ')}`,
  };
}

export async function runSessionsPerCore(
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<ScenarioResult> {
  const variants = [];
  // The one-node group takes the run's other Tandem builds (`--tandem-main`) for an A/B of a change.
  for (const [label, specs] of [
    ['one node', [...ONE_NODE, ...(ctx.tandemVariants ?? [])]],
    ['two nodes through Redis', TWO_NODES],
  ] as const) {
    if (specs[0]!.nodes === 2 && !ctx.redis) continue;
    const contenders = await interleave(
      specs,
      settings.reps,
      (spec, rep) => measureRamp(spec, rep, ctx, trace, settings),
      specs[0]!.name,
    );
    variants.push({ label, contenders });
  }
  return {
    id: 'sessions-per-core',
    title: `Sessions per core: live sessions carried with p99 ≤${P99_BOUND_MS} ms and no batch lost`,
    baseline: 'socket.io',
    headline: { figure: 'sessions', unit: 'sessions', lowerIsBetter: false },
    shown: [
      'sessions',
      'sessionsPerCoreByCpu',
      'p99Ms',
      'cpuMsPer1k',
      'cpuMsPer1kNode1',
      'cpuMsPer1kNode2',
      'rssPerSessionKB',
    ],
    target:
      'one node ≥1.5× bare Socket.IO sessions per core; two nodes: CPU per 1,000 relayed messages ≤1.3× one node',
    variants,
    notes: [
      `each session: ${BATCH_RATE} batches/s of ~${Math.round(trace.batches[0]!.length / 1024)} KB + ${POINTER_RATE} pointer/s to one agent; ramp ${settings.rampSessionCounts.join('/')} sessions, ${settings.durationMs} ms window per step; every server process (and Redis) on the one server core`,
      'cpuMsPer1k: CPU ms of all server processes per 1,000 customer events relayed (batches and pointer samples; node1 = the customers’ node, node2 = the agents’ node); sessionsPerCoreByCpu: sessions / server cores used at that step',
      `Tandem's customers send what its snippet sends: pointer reports at most every ${SNIPPET_POINTER_REPORT_MS} ms, riding a batch when one goes first; bare Socket.IO relays one message per event`,
      'two nodes: the headline ratio compares with bare Socket.IO sharded in the same run',
    ],
  };
}
