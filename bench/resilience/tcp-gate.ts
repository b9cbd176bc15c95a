/**
 * A TCP pass-through between the clients and the load balancer that can drop the network: it
 * cuts every open connection and refuses new ones for a while, as a flapping link or a restarted
 * ingress would. Bytes are piped untouched (TLS goes straight through to HAProxy).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpGate {
  /** `host:port` clients connect to instead of the balancer. */
  address: string;
  /** Cuts every connection and refuses new ones for `ms`; resolves when the network is back. */
  drop(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Opens a gate on a free loopback port in front of `target` (`host:port`). */
export async function openTcpGate(target: string): Promise<TcpGate> {
  const [host, port] = splitAddress(target);
  const open = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    // A refused connection: reset at once, as a closed port would.
    if (down) return void client.resetAndDestroy();
    const upstream = connect(port, host);
    const pair = [client, upstream];
    for (const s of pair) {
      open.add(s);
      s.setNoDelay(true);
      s.on('error', () => pair.forEach((x) => x.destroy()));
      s.on('close', () => {
        open.delete(s);
        pair.forEach((x) => x.destroy());
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${own}`,
    async drop(ms) {
      down = true;
      for (const s of open) s.resetAndDestroy();
      open.clear();
      await new Promise((resolve) => setTimeout(resolve, ms));
      down = false;
    },
    async stop() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
