/**
 * Bare Socket.IO with its default settings: customers in `/customer` emit, the server relays to
 * the room of the agents in `/agent` (the room named in the CONNECT auth). With `--redis URL`
 * and `--adapter classic|sharded`, the same through `@socket.io/redis-adapter`, as two nodes do.
 * It answers `/readyz` (the resilience scenario's HAProxy health-checks it) and exits cleanly on
 * SIGTERM, as a node being restarted would.
 * Usage: node servers/sio-relay.ts [--port N] [--redis URL --adapter classic|sharded]
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
    adapter: { type: 'string', default: 'classic' },
  },
});

const http = createServer((req, res) => {
  res.writeHead(req.url === '/readyz' ? 200 : 404).end();
});
const io = new Server(http);
if (values.redis) {
  const pub = new Redis(values.redis);
  const sub = pub.duplicate();
  // ioredis's ready check sends INFO, which a connection already in (sharded) subscriber mode
  // refuses with an unhandled error: subscribe only once both are ready.
  await Promise.all([pub, sub].map((c) => new Promise((resolve) => c.once('ready', resolve))));
  // A restarted Redis is an expected event in the resilience scenario: ioredis reconnects.
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
  socket.on('page:pointer', (pointer: unknown) =>
    agents.to(room).volatile.emit('page:pointer', pointer),
  );
});

http.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = http.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` })}\n`,
  );
});

process.on('SIGTERM', () => {
  io.close(() => process.exit(0));
});
