/**
 * The audit chain across two real nodes sharing a real Redis: the customer on one node, the agent
 * on the other, each node logging the records of its own sockets. Together the two logs hold one
 * chain per session, which verifies; the chain the store holds verifies too, and ends where the
 * receipt says.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runFullSession, type FullSession } from '../support/audit-session.ts';
import { startCluster, type RunningCluster } from '../support/cluster.ts';

const CLI = fileURLToPath(new URL('../../server/dist/cli/tandem.js', import.meta.url));
const run = (args: string[]) => promisify(execFile)(process.execPath, [CLI, 'audit', ...args]);

let cluster: RunningCluster;
let session: FullSession;

before(async () => {
  cluster = await startCluster(2);
  const [n1, n2] = cluster.nodes;
  session = await runFullSession(n1!.server.url, n2!.server.url);
});

after(async () => {
  for (const socket of session?.sockets ?? []) socket.disconnect();
  await cluster.stop();
});

describe('the audit chain of a cluster', () => {
  it('is one chain over both nodes, and verifies from their logs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-audit-'));
    const files: string[] = [];
    for (const node of cluster.nodes) {
      const ofSession = node.server.logs.filter(
        (l) => l.audit === true && l.session === session.sessionId,
      );
      assert.ok(ofSession.length > 0, `${node.name} logged records of the session`);
      const file = join(dir, `${node.name}.log`);
      await writeFile(file, node.server.logs.map((l) => JSON.stringify(l)).join('\n'));
      files.push(file);
    }
    const { stdout } = await run(['verify', ...files]);
    const head = stdout.split('\n').find((l) => l.startsWith(`${session.sessionId} `));
    assert.equal(
      head,
      `${session.sessionId} ${session.customerReceipt?.seq} ${session.customerReceipt?.hash}`,
    );
    // One node's log alone misses the other's records: verify says which.
    await assert.rejects(run(['verify', files[0]!]), /dropped/);
  });

  it('verifies as the store holds it', async () => {
    const { stdout } = await run([
      'verify',
      '--redis',
      cluster.redis.url,
      '--session',
      session.sessionId,
    ]);
    assert.match(
      stdout,
      new RegExp(
        `${session.sessionId} ${session.customerReceipt?.seq} ${session.customerReceipt?.hash}`,
      ),
    );
  });
});
