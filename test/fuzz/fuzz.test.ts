/**
 * The fuzzer at smoke size (a few hundred hostile frames, seconds), in `make test`. `make fuzz`
 * runs it at full size. FUZZ_SEED=n replays a run; the seed is printed either way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../support/server.ts';
import { describeFuzz, fuzzFailures } from './fuzz-checks.ts';
import { FUZZ_LIMITS, runFuzz } from './fuzz-run.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let server: RunningServer;

before(async () => {
  server = await startServer({ limits: FUZZ_LIMITS });
});

after(async () => {
  await server.stop();
});

describe('fuzzer (smoke)', () => {
  it('holds under a few hundred hostile frames: the node stays up, the session beside loses nothing', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`fuzz seed ${seed} (FUZZ_SEED=${seed} replays it)`);
    const report = await runFuzz(server, { frames: 400, seed });
    console.log(describeFuzz(report));
    assert.deepEqual(fuzzFailures(report, server.process.exitCode), [], `seed ${seed}`);
  });
});
