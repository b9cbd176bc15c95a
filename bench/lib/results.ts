/**
 * The shape every scenario reports in, and how repetitions become figures: per repetition raw
 * samples give that repetition's percentiles; a figure is the median over valid repetitions with
 * its range, and its headline is the median of the per-repetition ratios to the baseline.
 */
import { percentiles, ratioSpread, spreadOf, type Percentiles, type Spread } from './stats.ts';

/** One contender's measurement in one repetition. */
export interface RepResult {
  rep: number;
  /** Named figures of this repetition (p50Ms, p99Ms, lossPct, msgPerSec, ...). */
  figures: Record<string, number>;
  /** Raw samples behind the latency figures, merged over every session of the repetition. */
  samples?: number[];
  /** Share of a core the load generator used (a run above 0.85 is invalid). */
  generatorCpu?: number;
  valid: boolean;
  note?: string;
}

export interface ContenderResult {
  name: string;
  reps: RepResult[];
  /** Median and range over valid repetitions, per figure. */
  figures: Record<string, Spread>;
  /** Median of per-repetition ratios to the baseline, per figure. */
  ratios: Record<string, Spread>;
  /** Percentiles of every valid repetition's samples merged (never averaged). */
  pooled?: Percentiles;
  sampleCount: number;
  invalidReps: number;
}

export interface VariantResult {
  label: string;
  contenders: ContenderResult[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  baseline: string;
  /** The figure the headline ratio and the chart use, and whether lower is better. */
  headline: { figure: string; unit: string; lowerIsBetter: boolean };
  /** Figures shown in the table besides the headline. */
  shown: string[];
  target: string;
  variants: VariantResult[];
  notes: string[];
}

/** Generator CPU share above which a repetition is invalid. */
export const GENERATOR_CPU_LIMIT = 0.85;

export function summarize(
  name: string,
  reps: RepResult[],
  baseline: RepResult[] | null,
): ContenderResult {
  const valid = (r: RepResult | undefined): r is RepResult => r !== undefined && r.valid;
  const names = new Set(reps.flatMap((r) => Object.keys(r.figures)));
  const figures: Record<string, Spread> = {};
  const ratios: Record<string, Spread> = {};
  for (const figure of names) {
    figures[figure] = spreadOf(reps.filter(valid).map((r) => r.figures[figure] ?? Number.NaN));
    if (baseline) {
      const mine: number[] = [];
      const theirs: number[] = [];
      for (const r of reps) {
        const b = baseline.find((x) => x.rep === r.rep);
        if (!valid(r) || !valid(b)) continue;
        mine.push(r.figures[figure] ?? Number.NaN);
        theirs.push(b.figures[figure] ?? Number.NaN);
      }
      ratios[figure] = ratioSpread(mine, theirs);
    }
  }
  const merged = reps.filter(valid).flatMap((r) => r.samples ?? []);
  return {
    name,
    reps,
    figures,
    ratios,
    ...(merged.length > 0 && { pooled: percentiles(merged) }),
    sampleCount: reps.reduce((n, r) => n + (r.samples?.length ?? 0), 0),
    invalidReps: reps.filter((r) => !r.valid).length,
  };
}

/**
 * Runs `measure` for every contender in every repetition, interleaved (A/B/C, then B/C/A, ...),
 * so that drift on the machine falls on all contenders alike.
 */
export async function interleave<C extends { name: string }>(
  contenders: readonly C[],
  reps: number,
  measure: (contender: C, rep: number) => Promise<RepResult>,
  baseline: string,
): Promise<ContenderResult[]> {
  const byName = new Map<string, RepResult[]>(contenders.map((c) => [c.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(k + rep) % contenders.length]!;
      let result: RepResult;
      try {
        result = await measure(contender, rep);
      } catch (error) {
        result = { rep, figures: {}, valid: false, note: `failed: ${(error as Error).message}` };
      }
      byName.get(contender.name)!.push(result);
    }
  }
  const base = byName.get(baseline) ?? null;
  return contenders.map((c) => summarize(c.name, byName.get(c.name)!, base));
}

/** A repetition's validity from its generator CPU share. */
export function judged(rep: Omit<RepResult, 'valid'>): RepResult {
  const cpu = rep.generatorCpu ?? 0;
  const valid = cpu <= GENERATOR_CPU_LIMIT;
  return {
    ...rep,
    valid,
    ...(!valid && { note: `generator at ${(cpu * 100).toFixed(0)}% CPU: invalid` }),
  };
}
