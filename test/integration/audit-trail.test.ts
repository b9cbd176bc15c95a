/**
 * The audit trail of a full session against a real node: every security event yields exactly one
 * audit record of the one schema, naming its actor (the token's subject for agents), and the
 * control events name the agent they are about.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditRecordProblems } from '../../server/src/security/audit.ts';
import { FULL_SESSION_EVENTS, runFullSession, type FullSession } from '../support/audit-session.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let server: RunningServer;
let run: FullSession;

before(async () => {
  server = await startServer();
  run = await runFullSession(server.url, server.url);
});

after(async () => {
  for (const socket of run?.sockets ?? []) socket.disconnect();
  await server.stop();
});

type Line = Record<string, unknown> & { actor?: { subject?: string; role?: string } };

const audits = (): Line[] => server.logs.filter((l) => l.audit === true) as Line[];

describe('the audit trail of a full session', () => {
  it('has one record per security event, in order, each naming its actor', async () => {
    const ofSession = (): Line[] =>
      audits().filter(
        (l) =>
          l.session === run.sessionId ||
          // The refusals before a join have no session yet: the wrong code, the missing privilege.
          (l.event === 'code.refused' && l.actor?.subject === run.agentSubject) ||
          (l.event === 'agent.refused' && l.actor?.subject === 'test:vi'),
      );
    await waitFor(
      () => ofSession().some((l) => l.event === 'session.ended'),
      'the end to be audited',
    );
    assert.deepEqual(
      ofSession().map((l) => l.event),
      [...FULL_SESSION_EVENTS],
    );
    for (const line of audits())
      assert.deepEqual(
        auditRecordProblems(line),
        [],
        `${String(line.event)}: ${JSON.stringify(line)}`,
      );
  });

  it('names the customer and the agent each control event is about', () => {
    const control = audits().filter(
      (l) => l.session === run.sessionId && String(l.event).startsWith('control.'),
    );
    const byEvent = (event: string): Line | undefined => control.find((l) => l.event === event);
    for (const event of ['control.granted', 'control.denied', 'control.revoked']) {
      const line = byEvent(event);
      assert.equal(line?.actor?.role, 'customer', event);
      assert.equal(line?.target, run.agentSubject, `${event} targets the agent's subject`);
    }
    for (const event of ['control.requested', 'control.released', 'control.refused']) {
      const line = byEvent(event);
      assert.equal(line?.actor?.subject, run.agentSubject, event);
      assert.equal(line?.actor?.role, 'agent', event);
    }
    assert.equal(byEvent('control.denied')?.outcome, 'refused');
    assert.equal(byEvent('control.granted')?.outcome, 'success');
  });
});
