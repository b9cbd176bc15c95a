/**
 * `cluster.redis.sentinel`: a node finds its Redis through a real Redis Sentinel (redis-server
 * in sentinel mode) watching a real master, and serves sessions from it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type StartResult } from '../../server/src/protocol/index.ts';
import { freePort, startRedis, type RunningRedis } from '../support/redis.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

let redis: RunningRedis;
let sentinel: ChildProcess;
let sentinelDir: string;
let sentinelPort: number;
let server: RunningServer | undefined;
let socket: Socket | undefined;

before(async () => {
  redis = await startRedis();
  sentinelDir = await mkdtemp(join(tmpdir(), 'tandem-sentinel-'));
  sentinelPort = await freePort();
  const conf = join(sentinelDir, 'sentinel.conf');
  await writeFile(
    conf,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${sentinelDir}`,
      `sentinel monitor tandem 127.0.0.1 ${redis.port} 1`,
      'sentinel down-after-milliseconds tandem 5000',
    ].join('\n') + '\n',
  );
  sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
});

after(async () => {
  socket?.disconnect();
  await server?.stop();
  sentinel.kill('SIGKILL');
  await redis.destroy();
  await rm(sentinelDir, { recursive: true, force: true });
});

describe('redis through sentinel', () => {
  it('serves sessions from the master the sentinel names', async () => {
    server = await startServer({
      tls: { enabled: false },
      cluster: {
        redis: { sentinel: { masterName: 'tandem', nodes: [`127.0.0.1:${sentinelPort}`] } },
      },
    });
    await waitFor(
      async () => (await fetch(`${server!.url}/readyz`)).status === 200,
      'ready through the sentinel',
      15_000,
    );
    socket = io(`${server.url}/customer`, { transports: ['websocket'] });
    const started = (await socket.timeout(5000).emitWithAck('session:start', {
      protocol: PROTOCOL_VERSION,
      url: 'https://shop.test/',
    })) as StartResult;
    assert.ok(started.ok, JSON.stringify(started));
    // The session is in the master the sentinel points at.
    const { Redis } = await import('ioredis');
    const direct = new Redis(redis.url);
    try {
      assert.deepEqual(await direct.keys(`tandem:session:${started.sessionId}`), [
        `tandem:session:${started.sessionId}`,
      ]);
    } finally {
      direct.disconnect();
    }
  });
});
