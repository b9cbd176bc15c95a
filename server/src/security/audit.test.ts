import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../observability/logger.ts';
import { AUDIT_EVENTS, type Audit } from './audit-catalogue.ts';
import { auditRecordProblems, buildAuditRecord, createAudit } from './audit.ts';
import { customerActor, SYSTEM_ACTOR } from './audit-actors.ts';

describe('the audit schema', () => {
  it('refuses, at compile time, an event without its actor, session or reason', () => {
    const audit: Audit = () => undefined;
    // @ts-expect-error an event without its actor does not compile
    audit('session.started', { session: 's1' });
    // @ts-expect-error a session event without its session does not compile
    audit('session.started', { actor: customerActor() });
    // @ts-expect-error a refusal without its reason does not compile
    audit('control.denied', { session: 's1', actor: customerActor('s1') });
    // @ts-expect-error an event that is not in the catalogue does not compile
    audit('control.stolen', { actor: SYSTEM_ACTOR });
    audit('session.started', { session: 's1', actor: customerActor('s1') });
  });

  it('finds the problems of a record emitted without its actor (a caller outside the types)', () => {
    assert.deepEqual(
      auditRecordProblems({ event: 'session.started', session: 's1', outcome: 'success' }),
      ['no actor'],
    );
    assert.deepEqual(auditRecordProblems({ event: 'nope' }), ['unknown event nope']);
    assert.deepEqual(
      auditRecordProblems({
        event: 'control.denied',
        session: 's1',
        outcome: 'refused',
        actor: { subject: '', name: 'x', role: 'root' },
      }),
      ['no actor subject', 'actor role root', 'no reason'],
    );
  });

  it('takes the outcome from the catalogue and logs one line of the schema', () => {
    for (const event of Object.keys(AUDIT_EVENTS) as Array<keyof typeof AUDIT_EVENTS>) {
      const record = buildAuditRecord(event, { actor: SYSTEM_ACTOR, session: 's', reason: 'r' }, 1);
      assert.deepEqual(auditRecordProblems({ ...record }), [], event);
    }
    const lines: string[] = [];
    const log = createLogger('info', {
      write: (l: string) => lines.push(l),
    } as unknown as NodeJS.WritableStream);
    createAudit(log, () => 5)('session.ended', {
      session: 's1',
      actor: customerActor('s1'),
      reason: 'customer',
    });
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    assert.equal(line.audit, true);
    assert.deepEqual(line.actor, { subject: 'customer:s1', name: 'Customer', role: 'customer' });
    assert.equal(line.outcome, 'success');
    assert.equal(line.at, 5);
  });
});
