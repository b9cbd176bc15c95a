import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../observability/logger.ts';
import { MemoryStore } from '../store/index.ts';
import { customerActor, SYSTEM_ACTOR } from './audit-actors.ts';
import { GENESIS_HASH } from './audit-chain.ts';
import { createChainedAudit, type AuditStore } from './audit-writer.ts';
import { verifyAuditSources } from './audit-verify.ts';

function capture(): {
  lines: Array<Record<string, unknown>>;
  log: ReturnType<typeof createLogger>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const sink = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { lines, log: createLogger('info', sink as unknown as NodeJS.WritableStream) };
}

describe('the chained audit', () => {
  it('logs each record once chained, in the order emitted, and the log verifies', async () => {
    const { lines, log } = capture();
    const store = new MemoryStore();
    const { audit, settled } = createChainedAudit({ log, store, now: () => 7 });
    audit('session.started', { session: 's1', actor: customerActor('s1') });
    audit('agent.authenticated', { actor: SYSTEM_ACTOR });
    audit('session.ended', { session: 's1', actor: customerActor('s1'), reason: 'customer' });
    await settled('s1');
    await settled('cluster');
    assert.deepEqual(
      lines.map((l) => [l.event, l.chain, l.seq]),
      [
        ['session.started', 's1', 1],
        ['agent.authenticated', 'cluster', 1],
        ['session.ended', 's1', 2],
      ],
    );
    assert.equal(lines[0]?.prev, GENESIS_HASH);
    assert.equal(lines[2]?.prev, lines[0]?.hash);
    const outcome = verifyAuditSources([
      { name: 'log', text: lines.map((l) => JSON.stringify(l)).join('\n') },
    ]);
    assert.ok(outcome.ok);
    assert.deepEqual(await store.getAuditHead('s1'), { seq: 2, hash: lines[2]?.hash });
  });

  it('still logs a record when the store fails, marked unchained, and goes on', async () => {
    const { lines, log } = capture();
    const broken: AuditStore = {
      getAuditHead: () => Promise.reject(new Error('redis down')),
      appendAudit: () => Promise.reject(new Error('redis down')),
      getAuditChain: () => Promise.resolve([]),
    };
    const { audit, settled } = createChainedAudit({ log, store: broken });
    audit('session.started', { session: 's2', actor: customerActor('s2') });
    audit('session.ended', { session: 's2', actor: customerActor('s2'), reason: 'customer' });
    await settled('s2');
    assert.deepEqual(
      lines.map((l) => [l.event, l.chained, l.audit]),
      [
        ['session.started', false, true],
        ['session.ended', false, true],
      ],
    );
    const outcome = verifyAuditSources([
      { name: 'log', text: lines.map((l) => JSON.stringify(l)).join('\n') },
    ]);
    assert.equal(!outcome.ok && outcome.broken.problem, 'never chained (the store failed)');
  });
});
