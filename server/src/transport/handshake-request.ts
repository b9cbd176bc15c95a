/**
 * What a connection keeps of the HTTP request that opened it. Engine.IO holds that request for
 * the connection's whole life (`rawSocket.request`), and Socket.IO builds each namespace's
 * `socket.handshake` from it at every namespace connect, so it cannot simply be dropped (Socket.IO's
 * "Memory usage" advice, `rawSocket.request = null`, would leave us without the Origin and
 * forwarding headers). It is swapped at the engine's `connection` event for this small record:
 * only the headers that we and Socket.IO's handshake read, and whether the transport was TLS.
 *
 * That alone frees nothing on a WebSocket: Engine.IO (6.6) answers an upgrade with a stand-in
 * response whose `req` stays referenced by a close listener on the TCP socket until it closes.
 * So the stand-in is noted when the upgrade passes Engine.IO's middlewares, and let go of the
 * request once the connection is open (nothing reads it after the upgrade's headers are sent).
 * Then the IncomingMessage (raw headers, parsed query, URL, stream state) is garbage: about
 * 1.1 KB per idle socket for the bench's client, more for a browser's headers.
 *
 * Left as it was: a connection that starts on polling and upgrades later (our snippet and console
 * connect over WebSocket only) keeps its upgrade request referenced until it closes.
 */
import { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The headers read after the handshake: Origin (agent namespace check, session audit), Host and
 * X-Forwarded-Proto/-Host (the server's own origin), X-Forwarded-For (client address when proxies
 * are trusted).
 */
export const KEPT_HEADERS = [
  'origin',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
] as const;

/** The part of a request Socket.IO's `buildHandshake` reads (`headers`, `connection.encrypted`). */
export interface HandshakeRequest {
  headers: NodeJS.Dict<string | string[]>;
  connection: { readonly encrypted: boolean };
}

// Shared by every connection: nothing writes to them.
const TLS = Object.freeze({ encrypted: true });
const PLAIN = Object.freeze({ encrypted: false });

/** The request as kept for the connection's life: headers of `KEPT_HEADERS` and the TLS flag. */
export function toHandshakeRequest(req: IncomingMessage): HandshakeRequest {
  const headers: NodeJS.Dict<string | string[]> = {};
  for (const name of KEPT_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const encrypted = (req.socket as { encrypted?: unknown } | null)?.encrypted === true;
  return { headers, connection: encrypted ? TLS : PLAIN };
}

/** What of Engine.IO's server this needs: a middleware and the `connection` event. */
export interface EngineHooks {
  use(middleware: (req: IncomingMessage, res: object, next: (error?: Error) => void) => void): void;
  on(event: 'connection', listener: (raw: { request: unknown }) => void): unknown;
}

/** Keeps only a `HandshakeRequest` per connection, and lets the rest of its request go. */
export function slimHandshakeRequests(engine: EngineHooks): void {
  // Upgrade stand-ins by request; weak, so that a refused upgrade leaves nothing behind.
  const upgrades = new WeakMap<IncomingMessage, { req: unknown }>();
  engine.use((req, res, next) => {
    if (!(res instanceof ServerResponse)) upgrades.set(req, res as { req: unknown });
    next();
  });
  engine.on('connection', (raw) => {
    const req = raw.request;
    if (!(req instanceof IncomingMessage)) return;
    raw.request = toHandshakeRequest(req);
    const upgrade = upgrades.get(req);
    if (upgrade) {
      upgrades.delete(req);
      upgrade.req = null;
    }
  });
}
