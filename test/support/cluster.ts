/**
 * Several real Tandem node processes sharing one real Redis, behind a real load balancer.
 * Nodes speak plain HTTP behind the balancer (as behind a TLS-terminating ingress).
 */
import { io, type Socket } from 'socket.io-client';
import { startLoadBalancer, type RunningBalancer } from './load-balancer.ts';
import { freePort, startRedis, type RunningRedis } from './redis.ts';
import { startServer, type RunningServer } from './server.ts';

export interface ClusterNode {
  name: string;
  port: number;
  server: RunningServer;
}

export interface RunningCluster {
  redis: RunningRedis;
  balancer: RunningBalancer;
  nodes: ClusterNode[];
  /** Restarts a node that was stopped, on the same port. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Socket.IO client of `namespace` through the cluster's balancer, kept on `node` by the
 * balancer's sticky cookie (with the agent's `token`). `quickReconnect` retries within 0.1–0.5 s.
 */
export function clientVia(
  cluster: RunningCluster,
  node: string,
  namespace: '/customer' | '/agent',
  { token, quickReconnect = false }: { token?: string; quickReconnect?: boolean } = {},
): Socket {
  return io(`${cluster.balancer.url}${namespace}`, {
    ...(token ? { auth: { token } } : {}),
    transports: ['websocket'],
    rejectUnauthorized: false,
    extraHeaders: { cookie: `${cluster.balancer.cookie}=${node}` },
    forceNew: true,
    ...(quickReconnect && { reconnectionDelay: 100, reconnectionDelayMax: 500 }),
  });
}

export async function startCluster(
  size = 3,
  options: {
    adapter?: 'classic' | 'sharded';
    overrides?: Record<string, unknown>;
    /** Extra environment of every node (a test-only variable such as the store latency). */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RunningCluster> {
  const redis = await startRedis();
  // Agents open the console through the balancer: its origin is the nodes' public origin.
  const balancerPort = await freePort();
  const nodeConfig = (port: number) => ({
    server: {
      port,
      trustProxy: true,
      shutdownGraceSeconds: 2,
      publicOrigin: `https://127.0.0.1:${balancerPort}`,
    },
    tls: { enabled: false },
    cluster: { redis: { url: redis.url }, adapter: options.adapter ?? 'classic' },
    // Every node must verify the resource URLs any other node signed.
    'http-proxy': { signingKey: 'tandem-test-cluster-signing-key-0123456789' },
    ...options.overrides,
  });
  const nodes: ClusterNode[] = [];
  for (let i = 1; i <= size; i++) {
    const port = await freePort();
    nodes.push({ name: `n${i}`, port, server: await startServer(nodeConfig(port), options.env) });
  }
  const balancer = await startLoadBalancer(
    nodes.map((n) => ({ name: n.name, address: `127.0.0.1:${n.port}` })),
    { port: balancerPort },
  );
  return {
    redis,
    balancer,
    nodes,
    async restart(name) {
      const node = nodes.find((n) => n.name === name);
      if (!node) throw new Error(`no node ${name}`);
      node.server = await startServer(nodeConfig(node.port), options.env);
    },
    async stop() {
      await balancer.stop();
      await Promise.all(nodes.map((n) => n.server.stop('SIGKILL')));
      await redis.destroy();
    },
  };
}
