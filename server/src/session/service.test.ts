import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION, type PageSnapshot } from '../protocol/index.ts';
import { MemoryStore } from '../store/index.ts';
import { SessionService, type SessionSettings } from './service.ts';
import { pageSnapshot } from '../../../test/support/pages.ts';

const settings: SessionSettings = {
  codeLength: 8,
  maxAgents: 2,
  maxBatchesPerSnapshot: 3,
  unusedTtlMs: 600_000,
  idleTtlMs: 1_800_000,
  startsPerMinute: 3,
  joinAttemptsPerMinute: 5,
};

function setup() {
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const store = new MemoryStore(clock.now);
  const service = new SessionService({ store, settings, now: clock.now });
  return { clock, store, service };
}

const ctx = { origin: 'https://shop.test', address: '10.0.0.1' };
const start = { protocol: PROTOCOL_VERSION, url: 'https://shop.test/' };
const snapshot = (seq: number): PageSnapshot => pageSnapshot(seq, []);
const alice = { id: 'a', name: 'Alice' };

describe('session service', () => {
  it('starts a session that an agent joins with its code', async () => {
    const { service } = setup();
    const started = await service.start(start, ctx);
    assert.ok(started.ok);
    const joined = await service.join(
      { protocol: PROTOCOL_VERSION, code: started.session.code.toLowerCase() },
      alice,
      '10.0.0.2',
    );
    assert.ok(joined.ok);
    assert.equal(joined.session.id, started.session.id);
    assert.equal(joined.session.status, 'active');
  });

  it('refuses another protocol version', async () => {
    const { service } = setup();
    const result = await service.start({ ...start, protocol: PROTOCOL_VERSION + 1 }, ctx);
    assert.equal(!result.ok && result.code, 'unsupported_protocol');
  });

  it('rate-limits starts per address', async () => {
    const { service, clock } = setup();
    for (let i = 0; i < 3; i++) assert.ok((await service.start(start, ctx)).ok);
    const limited = await service.start(start, ctx);
    assert.equal(!limited.ok && limited.code, 'rate_limited');
    assert.ok((await service.start(start, { ...ctx, address: '10.0.0.9' })).ok);
    clock.advance(60_000);
    assert.ok((await service.start(start, ctx)).ok);
  });

  it('resumes only with the token it issued, once, from its origin', async () => {
    const { service } = setup();
    const started = await service.start(start, ctx);
    assert.ok(started.ok);
    const resume = (token: string, origin = ctx.origin) =>
      service.resume(
        { protocol: PROTOCOL_VERSION, sessionId: started.session.id, token },
        { origin },
      );
    const wrong = await resume('forged');
    assert.equal(!wrong.ok && wrong.code, 'resume_refused');
    const elsewhere = await resume(started.token, 'https://evil.test');
    assert.equal(!elsewhere.ok && elsewhere.code, 'resume_refused', 'another origin');
    const right = await resume(started.token);
    assert.ok(right.ok);
    assert.notEqual(right.token, started.token, 'a new credential replaces the used one');
    const replayed = await resume(started.token);
    assert.equal(!replayed.ok && replayed.code, 'resume_refused', 'the same token twice');
    assert.ok((await resume(right.token)).ok, 'the rotated one works, once');
  });

  it('accepts batches only in sequence, and asks to compact when they pile up', async () => {
    const { service } = setup();
    const started = await service.start(start, ctx);
    assert.ok(started.ok);
    const id = started.session.id;
    const early = await service.acceptBatch(id, { seq: 1, sentAt: 0, ops: [] });
    assert.equal(!early.ok && early.code, 'sequence_gap');
    assert.ok((await service.acceptSnapshot(id, snapshot(1))).ok);
    assert.deepEqual(await service.acceptBatch(id, { seq: 2, sentAt: 0, ops: [] }), {
      ok: true,
      compact: false,
      stored: true,
    });
    const gap = await service.acceptBatch(id, { seq: 4, sentAt: 0, ops: [] });
    assert.equal(!gap.ok && gap.code, 'sequence_gap');
    assert.ok((await service.acceptBatch(id, { seq: 3, sentAt: 0, ops: [] })).ok);
    assert.deepEqual(await service.acceptBatch(id, { seq: 4, sentAt: 0, ops: [] }), {
      ok: true,
      compact: true,
      stored: true,
    });
    const stale = await service.acceptSnapshot(id, snapshot(2));
    assert.equal(stale.ok, false);
    assert.ok((await service.acceptSnapshot(id, snapshot(9))).ok);
    const page = await service.catchUp(id);
    assert.equal(page.snapshot?.seq, 9);
    assert.equal(page.batches.length, 0);
  });

  it('expires an unused session and an idle one, and the sweep reports each once', async () => {
    const { service, clock } = setup();
    const unused = await service.start(start, ctx);
    const used = await service.start(start, ctx);
    assert.ok(unused.ok && used.ok);
    assert.ok(
      (await service.join({ protocol: PROTOCOL_VERSION, code: used.session.code }, alice, 'x')).ok,
    );
    clock.advance(600_000);
    const first = await service.sweep();
    assert.deepEqual(
      first.map((s) => [s.id, s.endedReason]),
      [[unused.session.id, 'expired']],
    );
    assert.deepEqual(await service.sweep(), []);
    const refused = await service.join(
      { protocol: PROTOCOL_VERSION, code: unused.session.code },
      alice,
      'y',
    );
    assert.equal(!refused.ok && refused.code, 'invalid_code');
    // The idle clock runs from the join; the sweep (every few seconds in a node) sees it at once.
    clock.advance(1_199_999);
    assert.deepEqual(await service.sweep(), []);
    clock.advance(1);
    const second = await service.sweep();
    assert.deepEqual(
      second.map((s) => [s.id, s.endedReason]),
      [[used.session.id, 'idle']],
    );
  });

  it('keeps a session with traffic alive past the idle timeout', async () => {
    const { service, clock } = setup();
    const started = await service.start(start, ctx);
    assert.ok(started.ok);
    const id = started.session.id;
    assert.ok(
      (await service.join({ protocol: PROTOCOL_VERSION, code: started.session.code }, alice, 'x'))
        .ok,
    );
    assert.ok((await service.acceptSnapshot(id, snapshot(1))).ok);
    for (let seq = 2; seq < 8; seq++) {
      clock.advance(600_000);
      assert.ok((await service.acceptBatch(id, { seq, sentAt: 0, ops: [] })).ok);
      assert.deepEqual(await service.sweep(), []);
    }
  });

  it('ends a session for good: the code no longer joins and page data is refused', async () => {
    const { service } = setup();
    const started = await service.start(start, ctx);
    assert.ok(started.ok);
    const ended = await service.end(started.session.id, 'agent');
    assert.equal(ended?.endedReason, 'agent');
    assert.equal(await service.end(started.session.id, 'agent'), null);
    const snap = await service.acceptSnapshot(started.session.id, snapshot(1));
    assert.equal(!snap.ok && snap.code, 'session_ended');
  });
});

describe('session service while the store is away', () => {
  it('relays unstored, reports the error, and names the sessions to resync when it returns', async () => {
    let now = 1_000_000;
    const store = new MemoryStore(() => now);
    const errors: unknown[] = [];
    const service = new SessionService({
      store,
      settings,
      now: () => now,
      onStoreError: (e) => errors.push(e),
    });
    const started = await service.start(start, ctx);
    assert.ok(started.ok);
    const id = started.session.id;
    assert.ok((await service.acceptSnapshot(id, snapshot(1))).ok);
    const broken = () => Promise.reject(new Error('connection is closed'));
    store.appendBatch = broken;
    store.putSnapshot = broken;
    store.getSession = broken;
    now += 60_000;
    assert.deepEqual(await service.acceptBatch(id, { seq: 2, sentAt: 0, ops: [] }), {
      ok: true,
      stored: false,
      compact: false,
    });
    assert.deepEqual(await service.acceptSnapshot(id, snapshot(3)), { ok: true, stored: false });
    assert.ok(errors.length >= 2);
    assert.deepEqual(service.takeUnstored(), [id]);
    assert.deepEqual(service.takeUnstored(), []);
  });
});
