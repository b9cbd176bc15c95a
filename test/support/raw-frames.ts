/**
 * A hostile peer below Socket.IO's client: a bare WebSocket speaking Engine.IO 4, which sends
 * whatever Socket.IO frames it is given (`2/customer,[...]`), well formed or not.
 */
import WebSocket from 'ws';

export interface RawFrameSocket {
  ws: WebSocket;
  /** Every Socket.IO packet received, without Engine.IO's `4` (text only). */
  received: string[];
  /** Sends one Socket.IO packet (a string) or a binary attachment. */
  send(frame: string | Buffer): void;
  /** Resolves when the connection closed, with its close code. */
  closed: Promise<number>;
  close(): void;
}

/**
 * Opens an Engine.IO WebSocket to `serverUrl` and, unless `namespace` is null, connects it to
 * that Socket.IO namespace (with `auth`, the agent's token). Resolves once connected.
 */
export function openRawFrames(
  serverUrl: string,
  namespace: string | null,
  { auth, headers }: { auth?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<RawFrameSocket> {
  const url = `${serverUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { rejectUnauthorized: false, headers });
  const received: string[] = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const peer: RawFrameSocket = {
    ws,
    received,
    send: (frame) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (typeof frame === 'string') ws.send(`4${frame}`);
      else ws.send(frame);
    },
    closed,
    close: () => ws.terminate(),
  };
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === '2') return ws.send('3');
      if (text.startsWith('0')) {
        if (namespace === null) return resolve(peer);
        return ws.send(`40${namespace},${auth ? JSON.stringify(auth) : ''}`);
      }
      if (!text.startsWith('4')) return;
      received.push(text.slice(1));
      if (namespace !== null && text.startsWith(`40${namespace},{"sid"`)) resolve(peer);
      if (text.startsWith(`44${namespace},`)) reject(new Error(`connect refused: ${text}`));
    });
    void closed.then((code) => reject(new Error(`closed with ${code} before connecting`)));
  });
}

/** A Socket.IO event frame of `namespace` whose arguments are written as given (raw JSON). */
export function eventFrame(
  namespace: string,
  event: string,
  rawArgs: string,
  ackId?: number,
): string {
  return `2${namespace},${ackId ?? ''}["${event}"${rawArgs ? `,${rawArgs}` : ''}]`;
}
