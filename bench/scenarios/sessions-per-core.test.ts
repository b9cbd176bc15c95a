import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rampFigures, verdictOf, type StepResult } from './sessions-per-core.ts';

const step = (sessions: number, over: Partial<StepResult> = {}): StepResult => ({
  sessions,
  p99Ms: 10,
  lost: 0,
  relayed: sessions * 160,
  cpuMsPer1k: [20, 10],
  serverCores: sessions / 400,
  rss: sessions * 100 * 1024,
  generatorCpu: 0.3,
  ...over,
});

describe('sessions-per-core ramp', () => {
  const verdicts: Array<[string, StepResult, RegExp | null]> = [
    ['within every bound', step(100), null],
    ['p99 at the bound holds', step(100, { p99Ms: 50 }), null],
    ['p99 past the bound', step(100, { p99Ms: 50.1 }), /p99 50\.1 ms > 50 ms/],
    ['no latency sample at all', step(100, { p99Ms: NaN }), /p99/],
    ['one batch lost', step(100, { lost: 1 }), /1 batches lost/],
    ['generator-bound', step(100, { generatorCpu: 0.9 }), /generator-bound.*lower bound/],
  ];
  for (const [name, input, expected] of verdicts)
    it(`verdict: ${name}`, () => {
      const verdict = verdictOf(input);
      if (expected === null) assert.equal(verdict, null);
      else assert.match(verdict ?? '', expected);
    });

  it('reports the last step that held and why the next broke', () => {
    const { figures, note, valid } = rampFigures([
      step(50),
      step(100),
      step(200, { p99Ms: 80 }),
      step(300),
    ]);
    assert.equal(valid, true);
    assert.equal(figures.sessions, 100);
    assert.equal(figures.cpuMsPer1k, 30);
    assert.equal(figures.cpuMsPer1kNode1, 20);
    assert.equal(figures.cpuMsPer1kNode2, 10);
    assert.equal(figures.sessionsPerCoreByCpu, 400);
    assert.equal(figures.rssPerSessionKB, 100);
    assert.match(note, /^200 sessions: p99 80\.0 ms/);
  });

  it('says so when no step broke a bound', () => {
    const { figures, note } = rampFigures([step(50), step(100)]);
    assert.equal(figures.sessions, 100);
    assert.match(note, /too short/);
  });

  it('keeps the first step’s figures, invalid, when even it broke a bound', () => {
    const { figures, note, valid } = rampFigures([step(50, { lost: 3 })]);
    assert.equal(valid, false);
    assert.equal(figures.sessions, 0);
    assert.equal(figures.p99Ms, 10);
    assert.match(note, /^no step held: 50 sessions: 3 batches lost/);
  });
});
