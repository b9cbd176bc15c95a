import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkAuditRecord, type ChainedAuditRecord } from './audit-chain.ts';
import { verifyAuditSources } from './audit-verify.ts';
import { canonicalJson } from '../protocol/canonical-json.ts';

const actor = { subject: 'test:a', name: 'A', role: 'agent' } as const;

function chain(session: string, length: number): ChainedAuditRecord[] {
  const out: ChainedAuditRecord[] = [];
  for (let i = 0; i < length; i++)
    out.push(
      linkAuditRecord(
        { event: 'agent.joined', outcome: 'success', at: i, actor, session },
        out.at(-1) ?? null,
      ),
    );
  return out;
}
const text = (records: object[]): string =>
  records.map((r) => JSON.stringify({ audit: true, level: 30, ...r })).join('\n');

describe('canonical JSON', () => {
  it('sorts keys at every depth and leaves out undefined members', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } }),
      '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });
});

describe('verifying audit chains', () => {
  it('accepts one chain split over two nodes, each in order', () => {
    const records = chain('s1', 5);
    const outcome = verifyAuditSources([
      { name: 'n1', text: `npm noise\n${text([records[0]!, records[2]!, records[3]!])}` },
      { name: 'n2', text: text([records[1]!, records[4]!]) },
    ]);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.heads.get('s1'), { seq: 5, hash: records[4]!.hash });
  });

  it('names the first broken link of each kind', () => {
    const records = chain('s1', 4);
    const broken = (list: object[]) => {
      const outcome = verifyAuditSources([{ name: 'f', text: text(list) }]);
      return outcome.ok ? null : `${outcome.broken.line} ${outcome.broken.problem}`;
    };
    assert.match(broken([records[0]!, { ...records[1]!, at: 99 }])!, /^2 edited/);
    assert.match(broken([records[0]!, records[2]!])!, /^2 dropped: seq 2 missing/);
    assert.match(broken([records[0]!, records[2]!, records[1]!])!, /^3 reordered/);
    assert.match(broken([records[1]!])!, /^1 dropped: seq 1 missing/);
    const unchained = { ...records[1]!, chained: false };
    assert.match(broken([records[0]!, unchained])!, /^2 never chained/);
    // A valid record of another history of the chain: its own hash holds, its prev does not.
    const forked = linkAuditRecord(
      { event: 'agent.left', outcome: 'success', at: 7, actor, session: 's1' },
      { seq: 1, hash: 'f'.repeat(64) },
    );
    assert.match(broken([records[0]!, forked])!, /^2 prev is not the hash of seq 1/);
  });
});
