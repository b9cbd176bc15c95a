/**
 * The benchmark suite in smoke mode (tiny sizes, one repetition), so that it cannot rot: every
 * scenario must produce figures and the JSON record and SVG chart must be written. Timings are
 * never asserted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const RUN = fileURLToPath(new URL('../bench/run.ts', import.meta.url));

interface BenchRecord {
  mode: string;
  machine: { versions: Record<string, string> };
  scenarios: Array<{
    id: string;
    variants: Array<{
      label: string;
      contenders: Array<{
        name: string;
        sampleCount: number;
        reps: Array<{ valid: boolean; note?: string; figures: Record<string, number> }>;
      }>;
    }>;
  }>;
}

describe('bench smoke run', () => {
  let out = '';
  after(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('runs every scenario against every contender and writes the JSON record and the chart', async () => {
    out = await mkdtemp(join(tmpdir(), 'tandem-bench-'));
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, '--smoke', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr.slice(-3000));
    assert.match(stdout, /vs socket\.io/);

    const record = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as BenchRecord;
    assert.equal(record.mode, 'smoke');
    assert.ok(record.machine.versions['socket.io']);
    const ids = record.scenarios.map((s) => s.id);
    assert.deepEqual(ids, [
      'relay-1-node',
      'relay-2-nodes',
      'saturation',
      'sessions-per-core',
      'idle',
      'snapshot',
      'mutation',
      'agent-join',
      'resilience',
    ]);
    for (const scenario of record.scenarios)
      for (const variant of scenario.variants)
        for (const contender of variant.contenders) {
          const where = `${scenario.id}/${contender.name}`;
          const rep = contender.reps[0];
          assert.ok(rep, `${where}: no repetition`);
          // A smoke run on a busy machine may be judged invalid; it must still have measured.
          assert.ok(!rep.note?.startsWith('failed'), `${where}: ${rep.note}`);
          assert.ok(Object.keys(rep.figures).length > 0, `${where}: no figures`);
          if (scenario.id.startsWith('relay'))
            assert.ok(contender.sampleCount > 0, `${where}: no latency samples`);
          // A network drop cuts every client: each must have reconnected (a sample each).
          if (scenario.id === 'resilience' && variant.label.startsWith('network drop'))
            assert.ok(contender.sampleCount > 0, `${where}: no reconnection samples`);
        }
    const svg = await readFile(join(out, 'latest.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /tandem/);
  });
});
