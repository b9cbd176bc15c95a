/**
 * The benchmark suite in one run: `make bench` (full) or `--smoke` (tiny, seconds, for `make test`).
 * Every contender of a scenario runs in the same invocation, interleaved, and each figure's
 * headline is its ratio to the baseline measured in this run.
 *
 *   node --import tsx bench/run.ts [--smoke] [--reps N] [--only id,id] [--out DIR]
 *                                  [--tandem-env NAME=VALUE,...] [--tandem-main LABEL=PATH,...]
 *                                  [--variant-pointers-per-event]
 *
 * Scenario ids: relay-1-node, relay-2-nodes, saturation, sessions-per-core, idle, snapshot, mutation,
 * agent-join, resilience. `--tandem-env` adds a second Tandem to the one-node scenarios
 * (relay-1-node, saturation, idle, and sessions-per-core's one-node group), its servers started
 * with those environment variables, for an A/B of a runtime switch in one run (e.g.
 * `WS_NO_BUFFER_UTIL=1`). `--tandem-main` adds one Tandem per other build of the server
 * (`before=/tmp/old/server/dist/main.js`: a build of an older commit in a worktree of its own),
 * for an A/B of a code change; `--variant-pointers-per-event` has those builds' customers send
 * every pointer sample as a message of its own, for builds older than pointers in batches.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderChart } from './lib/chart.ts';
import type { ContenderSpec } from './lib/contenders.ts';
import { choosePinning, pinSelf } from './lib/processes.ts';
import { startBenchRedis } from './lib/redis.ts';
import { describeMachine, formatTable, toRecord } from './lib/report.ts';
import type { ScenarioResult } from './lib/results.ts';
import { settingsFor } from './lib/settings.ts';
import { generateTrace } from './lib/trace.ts';
import { runRelayCluster, runRelaySingle } from './scenarios/relay.ts';
import { runIdle, runSaturation } from './scenarios/capacity.ts';
import { runBrowserScenarios } from './scenarios/browser.ts';
import { runSessionsPerCore } from './scenarios/sessions-per-core.ts';
import { runResilience } from './scenarios/resilience.ts';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    reps: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
    'tandem-env': { type: 'string' },
    'tandem-main': { type: 'string' },
    // The --tandem-main builds predate pointers riding the batch stream: one message per sample.
    'variant-pointers-per-event': { type: 'boolean', default: false },
  },
});

const SERVER_IDS = ['relay-1-node', 'relay-2-nodes', 'saturation', 'sessions-per-core', 'idle'];
const BROWSER_IDS = ['snapshot', 'mutation', 'agent-join'];
const only = values.only ? new Set(values.only.split(',')) : null;
const wanted = (id: string): boolean => only === null || only.has(id);

/** `NAME=VALUE` pairs, comma-separated, as an object (`--tandem-env`, `--tandem-main`). */
function parsePairs(flag: string, list: string): Record<string, string> {
  return Object.fromEntries(
    list.split(',').map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--${flag}: expected NAME=VALUE, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** The Tandem contenders that the flags add next to the default one. */
function tandemVariants(
  envList?: string,
  mainList?: string,
  pointersPerEvent = false,
): ContenderSpec[] {
  const env = envList ? parsePairs('tandem-env', envList) : undefined;
  if (mainList)
    return Object.entries(parsePairs('tandem-main', mainList)).map(([label, main]) => ({
      name: `tandem ${label}`,
      kind: 'tandem',
      nodes: 1,
      main: resolve(main),
      ...(env && { env }),
      ...(pointersPerEvent && { pointersPerEvent }),
    }));
  return env ? [{ name: `tandem ${envList}`, kind: 'tandem', nodes: 1, env }] : [];
}

const settings = settingsFor(values.smoke, values.reps ? Number(values.reps) : undefined);
const pinning = choosePinning();
pinSelf(pinning);
const trace = generateTrace();
const redis = SERVER_IDS.slice(1).some(wanted) ? await startBenchRedis(pinning) : null;
const ctx = {
  pinning,
  redis,
  tandemVariants: tandemVariants(
    values['tandem-env'],
    values['tandem-main'],
    values['variant-pointers-per-event'],
  ),
};
const started = new Date();
const scenarios: ScenarioResult[] = [];

const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

try {
  const steps: Array<[string, () => Promise<ScenarioResult | ScenarioResult[]>]> = [
    ['relay-1-node', () => runRelaySingle(ctx, trace, settings)],
    ['relay-2-nodes', () => runRelayCluster(ctx, trace, settings)],
    ['saturation', () => runSaturation(ctx, trace, settings)],
    ['sessions-per-core', () => runSessionsPerCore(ctx, trace, settings)],
    ['idle', () => runIdle(ctx, settings)],
  ];
  for (const [id, step] of steps) {
    if (!wanted(id)) continue;
    log(`${id}…`);
    const result = await step();
    scenarios.push(...(Array.isArray(result) ? result : [result]));
  }
  if (BROWSER_IDS.some(wanted)) {
    log(`browser: ${BROWSER_IDS.filter(wanted).join(', ')}…`);
    scenarios.push(...(await runBrowserScenarios(settings, pinning, BROWSER_IDS.filter(wanted))));
  }
  // Its own deployment: two nodes behind HAProxy and a Redis with AOF that it restarts.
  if (wanted('resilience')) {
    log('resilience…');
    scenarios.push(await runResilience(settings, pinning));
  }
} finally {
  await redis?.stop();
}

const meta = {
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  mode: settings.smoke ? 'smoke' : 'full',
  command: `node --import tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
  settings,
  pinning,
  machine: describeMachine(),
};
const stamp = started.toISOString().replace(/[:.]/g, '-');
await mkdir(values.out, { recursive: true });
const record = JSON.stringify(toRecord(scenarios, meta), null, 2);
const chart = renderChart(
  scenarios,
  `Tandem bench ${meta.mode} run, ${started.toISOString().slice(0, 16)}Z (lower bars are faster for ms)`,
);
for (const name of [`bench-${stamp}`, 'latest']) {
  await writeFile(join(values.out, `${name}.json`), record);
  await writeFile(join(values.out, `${name}.svg`), chart);
}
process.stdout.write(
  `${formatTable(scenarios)}\n\nwritten: ${join(values.out, `bench-${stamp}.json`)} and .svg\n`,
);
