import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { element, pageSnapshot, text } from '../../../test/support/pages.ts';
import { PagePipeline } from './pipeline.ts';
import { RestrictionsStep } from './restrictions.ts';
import { createRewriteUrlsStep } from './rewrite-urls.ts';
import { SanitizeStep } from './sanitize.ts';
import { createSigner } from '../proxy/signing.ts';

const CONFIG = {
  mask: [],
  hide: [],
  readOnly: [],
  maskMode: 'length',
  fixedMaskLength: 8,
} as const;
const batch = (seq: number) => ({
  seq,
  sentAt: 0,
  ops: [{ op: 'text' as const, id: 11, text: `change ${seq}` }],
});

function pipeline(maxSessions = 1000) {
  const signer = createSigner({ key: Buffer.alloc(32, 1), ttlMs: 60_000, now: () => 0 });
  const steps = {
    sanitize: new SanitizeStep({ cache: { maxSessions } }),
    restrictions: new RestrictionsStep(CONFIG, { maxSessions }),
    rewrite: createRewriteUrlsStep(signer, { maxSessions }),
  };
  return { steps, pipeline: new PagePipeline([steps.sanitize, steps.restrictions, steps.rewrite]) };
}

const page = (seq: number) => pageSnapshot(seq, [element(10, 'p', {}, [text(11, 'hello')])]);

describe('PagePipeline: per-session state', () => {
  it('refuses a batch whole when no step saw a snapshot of the session', () => {
    const { pipeline: p } = pipeline();
    assert.equal(p.batch({ sessionId: 'a' }, batch(2)), null);
  });

  it('applies batches after a snapshot, and refuses them once the session is forgotten', () => {
    const { pipeline: p, steps } = pipeline();
    p.snapshot({ sessionId: 'a' }, page(1));
    assert.deepEqual(p.batch({ sessionId: 'a' }, batch(2))?.ops, batch(2).ops);
    p.forget('a');
    for (const step of Object.values(steps)) assert.equal(step.sessionCount, 0, step.name);
    assert.equal(p.batch({ sessionId: 'a' }, batch(3)), null);
  });

  it('keeps each step within its bound; an evicted session needs a snapshot again', () => {
    const { pipeline: p, steps } = pipeline(2);
    for (const id of ['a', 'b', 'c']) p.snapshot({ sessionId: id }, page(1));
    for (const step of Object.values(steps)) assert.equal(step.sessionCount, 2, step.name);
    assert.equal(p.batch({ sessionId: 'a' }, batch(2)), null, 'the oldest went');
    assert.ok(p.batch({ sessionId: 'c' }, batch(2)));
    p.snapshot({ sessionId: 'a' }, page(3));
    assert.ok(p.batch({ sessionId: 'a' }, batch(4)));
  });
});
