/**
 * `make fuzz`: the fuzzer at full size against a real node (FUZZ_FRAMES, default 10,000 hostile
 * frames; FUZZ_SEED to replay). Prints the seed and the counts; exits non-zero when the node did
 * not hold.
 */
import { startServer } from '../support/server.ts';
import { describeFuzz, fuzzFailures } from './fuzz-checks.ts';
import { FUZZ_LIMITS, runFuzz } from './fuzz-run.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const frames = Number(process.env.FUZZ_FRAMES ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz: ${frames} frames, seed ${seed} (FUZZ_SEED=${seed} replays it)`);
const server = await startServer({ limits: FUZZ_LIMITS });
try {
  const report = await runFuzz(server, { frames, seed, log: (line) => console.log(line) });
  console.log(describeFuzz(report));
  const failures = fuzzFailures(report, server.process.exitCode);
  for (const failure of failures) console.error(`FAIL: ${failure}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
} finally {
  await server.stop();
}
