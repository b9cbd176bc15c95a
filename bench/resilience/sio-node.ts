/**
 * The resilience baseline: bare Socket.IO as bench/servers/sio-relay.ts runs it (customers in
 * `/customer` emit, the server relays to the agents' room in `/agent`, nodes joined by the Redis
 * adapter), plus the `/readyz` a load balancer health-checks, on a fixed port so that a restarted
 * node comes back where HAProxy expects it. Nothing else is added: no resume, no replay.
 * Usage: node sio-node.ts --port N --redis URL [--adapter classic|sharded]
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createAdapter } from '@socket.io/redis-adapter';
import { createShardedAdapter } from '@socket.io/redis-adapter/dist/sharded-adapter.js';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    redis: { type: 'string' },
    adapter: { type: 'string', default: 'sharded' },
  },
});

const http = createServer((req, res) => {
  res.writeHead(req.url === '/readyz' ? 200 : 404).end();
});
const io = new Server(http);
if (values.redis) {
  const pub = new Redis(values.redis);
  const sub = pub.duplicate();
  // Subscribe only once both are ready (ioredis's ready check is refused in subscriber mode).
  await Promise.all([pub, sub].map((c) => new Promise((resolve) => c.once('ready', resolve))));
  // A restarted Redis is an expected event here: ioredis reconnects on its own.
  for (const c of [pub, sub]) c.on('error', () => undefined);
  io.adapter(
    values.adapter === 'sharded' ? createShardedAdapter(pub, sub) : createAdapter(pub, sub),
  );
}

const roomOf = (auth: unknown): string =>
  typeof auth === 'object' && auth !== null ? String((auth as { room?: unknown }).room ?? '') : '';

const agents = io.of('/agent');
agents.on('connection', (socket) => void socket.join(roomOf(socket.handshake.auth)));
io.of('/customer').on('connection', (socket) => {
  const room = roomOf(socket.handshake.auth);
  socket.on('page:batch', (batch: unknown) => agents.to(room).emit('page:batch', batch));
});

process.on('SIGTERM', () => {
  io.close(() => process.exit(0));
});

http.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = http.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` })}\n`,
  );
});
