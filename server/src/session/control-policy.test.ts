/**
 * The agent's node's copy of a page as a cache that knows its store sequence: control catches it
 * up before judging an action, so a restriction added after the copy was built holds there too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageBatch } from '../protocol/index.ts';
import { element, pageSnapshot, text } from '../../../test/support/pages.ts';
import { RestrictionsStep, type RestrictionsConfig } from '../dom/restrictions.ts';
import type { PageRecord } from '../store/index.ts';
import { controlPolicyFrom } from './control-policy.ts';

const CONFIG: RestrictionsConfig = {
  mask: [],
  hide: [],
  readOnly: [],
  maskMode: 'length',
  fixedMaskLength: 8,
};
const SESSION = 's1';

/** The store's page, as the customer's node writes it; counts the policy's reads. */
function storedPage() {
  const customerNode = new RestrictionsStep(CONFIG);
  const snapshot = customerNode.snapshot(
    { sessionId: SESSION },
    pageSnapshot(1, [element(10, 'button', { id: 'pay' }, [text(11, 'Pay')])]),
  );
  const page: PageRecord = { snapshot, batches: [], lastSeq: 1 };
  const reads = { seq: 0, page: 0 };
  return {
    page,
    reads,
    append(batch: PageBatch) {
      page.batches.push(customerNode.batch({ sessionId: SESSION }, batch));
      page.lastSeq = batch.seq;
    },
    stored: {
      pageSeq: async () => {
        reads.seq += 1;
        return page.lastSeq;
      },
      page: async () => {
        reads.page += 1;
        return structuredClone(page);
      },
    },
  };
}

const markReadOnly = (seq: number): PageBatch => ({
  seq,
  sentAt: 0,
  ops: [{ op: 'attr', id: 10, name: 'data-tandem-readonly', value: '' }],
});

describe('control policy: the node’s page copy as a cache of the store', () => {
  it('builds the copy from the store on the first action, then reads only the sequence', async () => {
    const store = storedPage();
    const agentNode = new RestrictionsStep(CONFIG);
    const caughtUp: boolean[] = [];
    const policy = controlPolicyFrom([agentNode], store.stored, (had) => caughtUp.push(had));
    await policy.prepare?.(SESSION);
    assert.equal(policy.isReadOnly(SESSION, 10), false);
    assert.equal(agentNode.pageSeq(SESSION), 1);
    await policy.prepare?.(SESSION);
    assert.deepEqual(store.reads, { seq: 1, page: 1 }, 'up to date: the page is not read again');
    assert.deepEqual(caughtUp, [false]);
  });

  it('catches up when the element is made read-only after the copy was built', async () => {
    const store = storedPage();
    const agentNode = new RestrictionsStep(CONFIG);
    const caughtUp: boolean[] = [];
    const policy = controlPolicyFrom([agentNode], store.stored, (had) => caughtUp.push(had));
    await policy.prepare?.(SESSION);
    assert.equal(policy.isReadOnly(SESSION, 10), false, 'the first action is allowed');
    store.append(markReadOnly(2));
    await policy.prepare?.(SESSION);
    assert.equal(agentNode.pageSeq(SESSION), 2);
    assert.equal(policy.isReadOnly(SESSION, 10), true, 'the next one is refused');
    assert.equal(policy.isReadOnly(SESSION, 11), true, 'and inside it');
    assert.deepEqual(caughtUp, [false, true]);
  });

  it('rebuilds from a newer stored snapshot (the customer sent a fresh page)', async () => {
    const store = storedPage();
    const agentNode = new RestrictionsStep(CONFIG);
    const policy = controlPolicyFrom([agentNode], store.stored);
    await policy.prepare?.(SESSION);
    store.page.snapshot = pageSnapshot(5, [
      element(10, 'button', { id: 'pay', 'data-tandem-readonly': '' }, [text(11, 'Pay')]),
    ]);
    store.page.batches = [];
    store.page.lastSeq = 5;
    await policy.prepare?.(SESSION);
    assert.equal(policy.isReadOnly(SESSION, 10), true);
  });

  it('builds the copy again after it was forgotten (the cache evicted it)', async () => {
    const store = storedPage();
    const agentNode = new RestrictionsStep(CONFIG, { maxSessions: 1 });
    const policy = controlPolicyFrom([agentNode], store.stored);
    await policy.prepare?.(SESSION);
    agentNode.snapshot({ sessionId: 'other' }, pageSnapshot(1, []));
    assert.equal(agentNode.hasSession(SESSION), false, 'evicted by another session');
    assert.equal(policy.isReadOnly(SESSION, 10), true, 'unknown counts as read-only');
    await policy.prepare?.(SESSION);
    assert.equal(policy.isReadOnly(SESSION, 10), false);
  });

  it('fails closed with no restrictions step', async () => {
    const policy = controlPolicyFrom([], storedPage().stored);
    await policy.prepare?.(SESSION);
    assert.equal(policy.isReadOnly(SESSION, 10), true);
    assert.equal(policy.isMasked(SESSION, 10), true);
  });
});
