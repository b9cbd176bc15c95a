/**
 * The floor: a raw `ws` room relay. A customer's frames go, unparsed, to every agent of its
 * room. Nothing is validated, stored or sanitized; no server does less per message.
 * Usage: node servers/ws-relay.ts [port]  → prints {"msg":"listening","url":...}
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const rooms = new Map<string, Set<WebSocket>>();
const http = createServer();
const wss = new WebSocketServer({ server: http });

wss.on('connection', (socket, req) => {
  const query = new URL(req.url ?? '/', 'http://relay').searchParams;
  const room = query.get('room') ?? '';
  if (query.get('role') === 'agent') {
    let agents = rooms.get(room);
    if (!agents) rooms.set(room, (agents = new Set()));
    agents.add(socket);
    socket.on('close', () => {
      agents.delete(socket);
      if (agents.size === 0) rooms.delete(room);
    });
    return;
  }
  socket.on('message', (data, isBinary) => {
    const agents = rooms.get(room);
    if (agents) for (const agent of agents) agent.send(data, { binary: isBinary });
  });
});

http.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = http.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` })}\n`,
  );
});
