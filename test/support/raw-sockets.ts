/**
 * Raw Socket.IO clients for protocol tests, standing in for the snippet or the agent console:
 * WebSocket only, no reconnection, the test server's self-signed certificate accepted.
 */
import { io, type Socket } from 'socket.io-client';

export interface RawSocketOptions {
  /** The agent's bearer token (the agent namespace's handshake `auth`). */
  token?: string;
  /** Extra handshake headers, such as the page's `origin`. */
  headers?: Record<string, string>;
}

export function rawSocket(
  serverUrl: string,
  namespace: '/customer' | '/agent',
  { token, headers }: RawSocketOptions = {},
): Socket {
  return io(`${serverUrl}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    rejectUnauthorized: false,
    forceNew: true,
    ...(headers && { extraHeaders: headers }),
    ...(token !== undefined && { auth: { token } }),
  });
}

/** Every payload of `event` that `socket` receives from now on, in order. */
export function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}
