/**
 * The audit trail of a full session against a real node: every security event yields exactly one
 * audit record of the one schema, naming its actor (the token's subject for agents), and the
 * control events name the agent they are about. The records form the session's hash chain;
 * `tandem audit verify` (the built command) passes the log as written and names the line where
 * one record was edited, dropped or reordered; the receipt both sides get ends the chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

const CLI = fileURLToPath(new URL('../../server/dist/cli/tandem.js', import.meta.url));

/** Runs the built `tandem audit verify` on `lines` written to a file; its exit code and output. */
async function verify(lines: string[]): Promise<{ code: number; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-audit-'));
  const file = join(dir, 'node.log');
  await writeFile(file, lines.join('\n') + '\n');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'audit', 'verify', file]);
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, out: failed.stderr.replace(`${file}:`, 'log:') };
  }
}

describe('the hash chain of the session', () => {
  /** The node's log as written: non-JSON lines among JSON lines, as `make run` may have them. */
  const log = (): string[] => [
    '> tandem@0.1.0 start (npm noise)',
    ...server.logs.map((l) => JSON.stringify(l)),
  ];
  const lineOf = (lines: string[], seq: number): number =>
    lines.findIndex(
      (l) => l.includes(`"chain":"${run.sessionId}"`) && l.includes(`"seq":${seq},`),
    ) + 1;

  it('verifies as logged, and its last link is the receipt both sides got', async () => {
    const result = await verify(log());
    assert.equal(result.code, 0, result.out);
    const head = result.out.split('\n').find((l) => l.startsWith(`${run.sessionId} `));
    const [, seq, hash] = head?.split(' ') ?? [];
    const ofSession = audits().filter((l) => l.session === run.sessionId);
    assert.equal(Number(seq), ofSession.length);
    assert.ok(run.customerReceipt, 'the customer got a receipt');
    assert.equal(run.customerReceipt.hash, hash);
    assert.equal(run.customerReceipt.seq, Number(seq));
    assert.deepEqual(run.agentReceipt, run.customerReceipt, 'the agent sees the same receipt');
    assert.deepEqual(
      run.customerReceipt.joined.map((j) => j.name),
      ['Ada'],
    );
    assert.deepEqual(
      run.customerReceipt.permissions.map((p) => `${p.name} ${p.change}`),
      [
        'Ada requested',
        'Ada denied',
        'Ada requested',
        'Ada granted',
        'Ada revoked',
        'Ada requested',
        'Ada granted',
        'Ada released',
      ],
    );
    for (const line of ofSession)
      assert.ok(!JSON.stringify(line).includes('data-tandem-readonly'), 'no page content');
  });

  it('names the line of an edited record', async () => {
    const lines = log();
    const at = lineOf(lines, 4);
    lines[at - 1] = lines[at - 1]!.replace('"outcome":"refused"', '"outcome":"success"');
    lines[at - 1] = lines[at - 1]!.replace(/"at":(\d+)/, (_, t: string) => `"at":${Number(t) + 1}`);
    const result = await verify(lines);
    assert.equal(result.code, 1);
    assert.match(
      result.out,
      new RegExp(`^broken: log:${at}: chain ${run.sessionId} seq 4: edited`),
    );
  });

  it('names the line after a dropped record', async () => {
    const lines = log();
    const at = lineOf(lines, 5);
    lines.splice(at - 1, 1);
    const result = await verify(lines);
    assert.equal(result.code, 1);
    assert.match(
      result.out,
      new RegExp(`^broken: log:${at}: chain ${run.sessionId} seq 6: dropped: seq 5 missing`),
    );
  });

  it('names the line of a reordered record', async () => {
    const lines = log();
    const a = lineOf(lines, 6);
    const b = lineOf(lines, 7);
    [lines[a - 1], lines[b - 1]] = [lines[b - 1]!, lines[a - 1]!];
    const result = await verify(lines);
    assert.equal(result.code, 1);
    assert.match(
      result.out,
      new RegExp(`^broken: log:${b}: chain ${run.sessionId} seq 6: reordered`),
    );
  });
});
