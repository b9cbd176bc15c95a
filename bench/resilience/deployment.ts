/**
 * What the resilience scenario disrupts: two nodes (Tandem, or the bare Socket.IO baseline) on
 * fixed ports sharing one Redis with AOF, behind HAProxy (cookie affinity, `/readyz` checks,
 * redispatch), and a TCP gate in front of HAProxy through which every client connects.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_AGENT_SECRET } from '../../test/support/agent-tokens.ts';
import { startLoadBalancer, type RunningBalancer } from '../../test/support/load-balancer.ts';
import { freePort, startRedis, type RunningRedis } from '../../test/support/redis.ts';
import { spawnServer, type Pinning, type ServerProcess } from '../lib/processes.ts';
import { openTcpGate, type TcpGate } from './tcp-gate.ts';
import { listeningUrl, SIO_RELAY, TANDEM_MAIN } from '../lib/contenders.ts';

export type Kind = 'tandem' | 'socket.io';

export interface ResilienceDeployment {
  kind: Kind;
  /** `https://127.0.0.1:port` of the gate (HAProxy's TLS behind it). */
  url: string;
  /** The affinity cookie's name and the two nodes' names in it. */
  cookie: string;
  nodeNames: [string, string];
  gate: TcpGate;
  redis: RunningRedis;
  /** SIGTERM a node, wait for it to exit, start it again on its port. */
  restartNode(name: string): Promise<void>;
  /** Stop Redis (SIGTERM: AOF flushed), start it again on its port with the same data. */
  restartRedis(): Promise<void>;
  stop(): Promise<void>;
}

interface NodeSlot {
  name: string;
  port: number;
  /** Starts the node's process on its port. */
  launch(): Promise<ServerProcess>;
  process: ServerProcess;
}

async function tandemLauncher(
  port: number,
  redisUrl: string,
  dataDir: string,
  pinning: Pinning,
): Promise<() => Promise<ServerProcess>> {
  const config = {
    server: { host: '127.0.0.1', port, dataDir, trustProxy: true, shutdownGraceSeconds: 2 },
    tls: { enabled: false },
    metrics: { host: '127.0.0.1', port: 0 },
    log: { level: 'info' },
    agents: { secret: TEST_AGENT_SECRET },
    limits: { startsPerMinute: 1_000_000, joinAttemptsPerMinute: 1_000_000 },
    cluster: { redis: { url: redisUrl } },
    // Every node must verify the resource URLs any other node signed.
    'http-proxy': { signingKey: 'tandem-bench-resilience-signing-key-0123456789' },
  };
  const file = join(dataDir, `tandem-${port}.json`);
  await writeFile(file, JSON.stringify(config));
  return () =>
    spawnServer({
      args: [TANDEM_MAIN, '--config', file],
      pinning,
      readyUrl: listeningUrl,
    });
}

export async function deployResilience(
  kind: Kind,
  pinning: Pinning,
): Promise<ResilienceDeployment> {
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-resilience-'));
  const slots: NodeSlot[] = [];
  let balancer: RunningBalancer | undefined;
  let gate: TcpGate | undefined;
  const stopAll = async (): Promise<void> => {
    await gate?.stop();
    await balancer?.stop();
    await Promise.all(slots.map((s) => s.process.stop('SIGKILL')));
    await redis.destroy();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    for (const name of ['n1', 'n2']) {
      const port = await freePort();
      const launch =
        kind === 'tandem'
          ? await tandemLauncher(port, redis.url, dataDir, pinning)
          : () =>
              spawnServer({
                args: [
                  SIO_RELAY,
                  '--port',
                  String(port),
                  '--redis',
                  redis.url,
                  '--adapter',
                  'sharded',
                ],
                pinning,
                readyUrl: listeningUrl,
              });
      slots.push({ name, port, launch, process: await launch() });
    }
    balancer = await startLoadBalancer(
      slots.map((s) => ({ name: s.name, address: `127.0.0.1:${s.port}` })),
    );
    gate = await openTcpGate(balancer.url.replace(/^https:\/\//, ''));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    kind,
    url: `https://${gate.address}`,
    cookie: balancer.cookie,
    nodeNames: ['n1', 'n2'],
    gate,
    redis,
    async restartNode(name) {
      const slot = slots.find((s) => s.name === name);
      if (!slot) throw new Error(`no node ${name}`);
      await slot.process.stop('SIGTERM');
      slot.process = await slot.launch();
    },
    async restartRedis() {
      await redis.stop('SIGTERM');
      await redis.start();
    },
    stop: stopAll,
  };
}
