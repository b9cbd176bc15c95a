/**
 * A raw Socket.IO customer, standing in for the snippet on a page of `origin`: starts a session
 * and can send snapshots. Used by tests that need a live session but no browser.
 */
import type { Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type PageSnapshot,
  type StartResult,
} from '../../server/src/protocol/index.ts';
import { rawSocket } from './raw-sockets.ts';

export interface CustomerSession {
  sessionId: string;
  code: string;
  socket: Socket;
  sendSnapshot(snapshot: PageSnapshot): void;
  end(): Promise<void>;
}

export async function startCustomerSession(
  serverUrl: string,
  origin: string,
  pageUrl = `${origin}/`,
): Promise<CustomerSession> {
  const socket = rawSocket(serverUrl, '/customer', { headers: { origin } });
  const result = (await socket
    .timeout(5000)
    .emitWithAck('session:start', { protocol: PROTOCOL_VERSION, url: pageUrl })) as StartResult;
  if (!result.ok) {
    socket.disconnect();
    throw new Error(`session:start refused: ${result.code} ${result.message}`);
  }
  return {
    sessionId: result.sessionId,
    code: result.code,
    socket,
    sendSnapshot: (snapshot) => socket.emit('page:snapshot', snapshot),
    async end() {
      socket.emit('session:end');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.disconnect();
    },
  };
}

/**
 * A raw customer connection (no Origin header) in a session of its own, for protocol tests
 * against one node: the socket, and the session's code and id.
 */
export async function rawCustomerInSession(
  serverUrl: string,
): Promise<{ customer: Socket; code: string; sessionId: string }> {
  const customer = rawSocket(serverUrl, '/customer');
  const start = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  if (!start.ok) {
    customer.disconnect();
    throw new Error(`session:start refused: ${start.code} ${start.message}`);
  }
  return { customer, code: start.code, sessionId: start.sessionId };
}
