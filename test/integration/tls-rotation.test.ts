/**
 * Certificate rotation without a restart, as a Kubernetes secret volume does it (a new pair
 * swapped in by rename): new handshakes see the new certificate's serial, an open socket keeps
 * receiving, and a pair that does not match is refused while the old one stays in use.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type PageBatch,
  type StartResult,
  type JoinResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { makeCertificate } from '../support/certificates.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let dir: string;
let server: RunningServer;
const sockets: Socket[] = [];

function makePair(name: string): { cert: string; key: string } {
  return makeCertificate(dir, name);
}

/** Installs a pair the way a secret volume does: written aside, then renamed into place. */
async function install(pair: { cert: string; key: string }): Promise<void> {
  await writeFile(join(dir, 'live', 'tls.crt.tmp'), await readFile(pair.cert));
  await writeFile(join(dir, 'live', 'tls.key.tmp'), await readFile(pair.key));
  await rename(join(dir, 'live', 'tls.key.tmp'), join(dir, 'live', 'tls.key'));
  await rename(join(dir, 'live', 'tls.crt.tmp'), join(dir, 'live', 'tls.crt'));
}

async function serialOf(pair: { cert: string }): Promise<string> {
  return new X509Certificate(await readFile(pair.cert)).serialNumber;
}

function presentedSerial(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: hostname, port: Number(port), rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerX509Certificate()?.serialNumber ?? '');
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-rotate-'));
  spawnSync('mkdir', ['-p', join(dir, 'live')]);
});
after(async () => {
  for (const socket of sockets) socket.disconnect();
  await server?.stop();
});

describe('certificate rotation', () => {
  it('serves a rotated certificate to new handshakes while an open socket keeps receiving; refuses a bad pair', async () => {
    const first = makePair('first');
    const second = makePair('second');
    await install(first);
    server = await startServer({
      tls: {
        certFile: join(dir, 'live', 'tls.crt'),
        keyFile: join(dir, 'live', 'tls.key'),
        reloadIntervalSeconds: 1,
      },
    });
    assert.equal(await presentedSerial(server.url), await serialOf(first));

    const customer = io(`${server.url}/customer`, {
      transports: ['websocket'],
      rejectUnauthorized: false,
    });
    const agent = io(`${server.url}/agent`, {
      transports: ['websocket'],
      rejectUnauthorized: false,
      auth: { token: await mintTestToken() },
    });
    sockets.push(customer, agent);
    const started = (await customer.timeout(5000).emitWithAck('session:start', {
      protocol: PROTOCOL_VERSION,
      url: 'https://shop.test/',
    })) as StartResult;
    assert.ok(started.ok);
    customer.emit('page:snapshot', {
      seq: 1,
      url: 'https://shop.test/',
      title: 't',
      viewport: { width: 1, height: 1 },
      doc: { type: 'document', id: 1, children: [] },
    });
    const joined = (await agent.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code: started.code,
    })) as JoinResult;
    assert.ok(joined.ok, JSON.stringify(joined));
    const batches: PageBatch[] = [];
    agent.on('page:batch', (b: PageBatch) => batches.push(b));

    await install(second);
    await waitFor(
      async () => (await presentedSerial(server.url)) === (await serialOf(second)),
      'the new certificate on new handshakes',
    );
    customer.emit('page:batch', {
      seq: 2,
      sentAt: Date.now(),
      ops: [{ op: 'viewport', width: 2, height: 2 }],
    });
    await waitFor(() => batches.some((b) => b.seq === 2), 'the open socket still receiving');
    assert.equal(agent.connected && customer.connected, true);
    assert.ok(server.logs.some((l) => l.msg === 'tls certificate reloaded'));

    // A key that does not belong to the certificate: refused, logged, the second pair stays.
    const third = makePair('third');
    await install({ cert: third.cert, key: first.key });
    await waitFor(
      () => server.logs.some((l) => String(l.msg).startsWith('tls certificate change refused')),
      'the bad pair refused in the log',
    );
    assert.equal(await presentedSerial(server.url), await serialOf(second));
  });
});
