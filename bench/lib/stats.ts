/**
 * Exact statistics from raw samples. Samples of one contender are merged across sessions (and,
 * for the pooled figure, across repetitions) before a percentile is taken: percentiles are never
 * averaged.
 */

/** The value at quantile `q` (0..1) of already sorted values, nearest-rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Percentiles of raw samples (merged by the caller: pass every sample, not summaries). */
export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  return {
    count: values.length,
    p50: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    p99: quantile(values, 0.99),
    max: values.length ? values[values.length - 1]! : Number.NaN,
  };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many repetitions the figure is the median of. */
  n: number;
}

/** The median of one figure over repetitions, and its range. NaN entries (no data) are skipped. */
export function spreadOf(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = finite.length >> 1;
  const median = finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { median, min: finite[0]!, max: finite[finite.length - 1]!, n: finite.length };
}

/**
 * The ratio of a contender's figure to the baseline's, per repetition (each pair measured back
 * to back in one run), summarised as the median of those ratios and their range.
 */
export function ratioSpread(values: readonly number[], baseline: readonly number[]): Spread {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(values.length, baseline.length); i++) {
    const v = values[i]!;
    const b = baseline[i]!;
    if (Number.isFinite(v) && Number.isFinite(b) && b > 0) ratios.push(v / b);
  }
  return spreadOf(ratios);
}

/** Raw samples that grow without reallocating per push, for latency streams of millions. */
export class SampleBuffer {
  private chunks: Float64Array[] = [];
  private current = new Float64Array(4096);
  private used = 0;

  add(value: number): void {
    if (this.used === this.current.length) {
      this.chunks.push(this.current);
      this.current = new Float64Array(this.current.length * 2);
      this.used = 0;
    }
    this.current[this.used++] = value;
  }

  get length(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0) + this.used;
  }

  toArray(): number[] {
    const out: number[] = [];
    for (const chunk of this.chunks) for (const v of chunk) out.push(v);
    for (let i = 0; i < this.used; i++) out.push(this.current[i]!);
    return out;
  }
}
