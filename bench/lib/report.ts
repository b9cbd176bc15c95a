/** The run's outputs: a table on stdout, the JSON record (machine, versions, samples) and its file. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { createRequire } from 'node:module';
import type { ContenderResult, ScenarioResult } from './results.ts';
import type { Spread } from './stats.ts';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string {
  try {
    return (
      JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

function commandVersion(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    return 'absent';
  }
}

export function describeMachine(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    commit,
    versions: {
      'socket.io': versionOf('socket.io'),
      ws: versionOf('ws'),
      '@socket.io/redis-adapter': versionOf('@socket.io/redis-adapter'),
      ioredis: versionOf('ioredis'),
      rrweb: versionOf('rrweb'),
      '@rrweb/packer': versionOf('@rrweb/packer'),
      'playwright-core': versionOf('playwright-core'),
      'redis-server': commandVersion('redis-server', ['--version']),
      chromium: commandVersion(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version']),
    },
  };
}

const fmt = (value: number): string => {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

const spread = (s: Spread | undefined): string =>
  s && s.n > 0 ? `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]` : '–';

const ratio = (s: Spread | undefined): string =>
  s && s.n > 0 ? `${s.median.toFixed(2)}× [${s.min.toFixed(2)}–${s.max.toFixed(2)}]` : '–';

function row(scenario: ScenarioResult, c: ContenderResult): string[] {
  const head = scenario.headline.figure;
  return [
    c.name,
    c.name === scenario.baseline ? 'baseline' : ratio(c.ratios[head]),
    ...scenario.shown.map((f) => spread(c.figures[f])),
    String(c.sampleCount),
    `${c.reps.length - c.invalidReps}/${c.reps.length}`,
  ];
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** The stdout table: per scenario and variant, the headline ratio first, then medians [range]. */
export function formatTable(scenarios: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const s of scenarios) {
    out.push(
      '',
      `## ${s.title}`,
      `target: ${s.target}; headline: ${s.headline.figure} ratio to ${s.baseline} (same run)`,
    );
    for (const v of s.variants) {
      out.push(`### ${v.label}`);
      const header = [
        'contender',
        `${s.headline.figure} vs ${s.baseline}`,
        ...s.shown,
        'samples',
        'valid reps',
      ];
      out.push(pad([header, ...v.contenders.map((c) => row(s, c))]));
      for (const c of v.contenders)
        for (const r of c.reps) if (r.note) out.push(`  ${c.name} rep ${r.rep}: ${r.note}`);
    }
    for (const note of s.notes) out.push(`note: ${note}`);
  }
  return out.join('\n');
}

/** The JSON record: everything but the raw samples themselves (their counts are kept). */
export function toRecord(
  scenarios: readonly ScenarioResult[],
  meta: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...meta,
    scenarios: scenarios.map((s) => ({
      ...s,
      variants: s.variants.map((v) => ({
        ...v,
        contenders: v.contenders.map((c) => ({
          ...c,
          reps: c.reps.map(({ samples, ...r }) => ({ ...r, sampleCount: samples?.length ?? 0 })),
        })),
      })),
    })),
  };
}
