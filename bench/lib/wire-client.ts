/**
 * The load generator's client: one `ws` WebSocket per peer, speaking either raw frames (the `ws`
 * floor) or Socket.IO's wire protocol (Engine.IO 4 packets over a WebSocket, namespaces, acks).
 * Frames are built from pre-serialized strings and only the head of a received frame is read,
 * so that the generator costs far less per message than any server it drives.
 */
import WebSocket from 'ws';

export type Wire = 'ws' | 'socket.io';

export interface Peer {
  /** Sends one event with a pre-serialized JSON payload. */
  emit(event: string, json: string): void;
  /** Sends an event and waits for its acknowledgement (Socket.IO only). */
  request(event: string, json: string, timeoutMs?: number): Promise<unknown>;
  /** Called with each received event's name and its raw frame. */
  onFrame(handler: (event: string, frame: string) => void): void;
  close(): void;
  readonly closed: boolean;
  onClose(handler: () => void): void;
}

export interface ConnectOptions {
  wire: Wire;
  /** `http://host:port` of the server. */
  url: string;
  /** Socket.IO namespace (`/customer`, `/agent`); for `ws`, the role in the query. */
  namespace: string;
  /** Socket.IO CONNECT payload (`auth`); for `ws`, query parameters. */
  auth: Record<string, string>;
  timeoutMs?: number;
}

const EVENT_HEAD = /^\["([^"]+)"/;

export function connectPeer(options: ConnectOptions): Promise<Peer> {
  return options.wire === 'ws' ? connectRaw(options) : connectSocketIo(options);
}

function connectRaw(options: ConnectOptions): Promise<Peer> {
  const query = new URLSearchParams({ role: options.namespace.slice(1), ...options.auth });
  const socket = new WebSocket(`${options.url.replace(/^http/, 'ws')}/?${query.toString()}`, {
    perMessageDeflate: false,
  });
  let handler: (event: string, frame: string) => void = () => undefined;
  socket.on('message', (data) => {
    const frame = data.toString();
    handler(EVENT_HEAD.exec(frame)?.[1] ?? '', frame);
  });
  return opened(socket, options.timeoutMs).then(() => ({
    emit: (event, json) => socket.send(`["${event}",${json}]`),
    request: () => Promise.reject(new Error('the ws floor has no acknowledgements')),
    onFrame: (h) => (handler = h),
    close: () => socket.terminate(),
    get closed() {
      return socket.readyState !== WebSocket.OPEN;
    },
    onClose: (h) => socket.on('close', h),
  }));
}

function opened(socket: WebSocket, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('connect timeout'));
    }, timeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function connectSocketIo(options: ConnectOptions): Promise<Peer> {
  const nsp = options.namespace;
  const socket = new WebSocket(
    `${options.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`,
    { perMessageDeflate: false },
  );
  const prefix = `42${nsp},`;
  const ackPrefix = `43${nsp},`;
  let nextAck = 1;
  const acks = new Map<number, (value: unknown) => void>();
  let handler: (event: string, frame: string) => void = () => undefined;
  let connected: () => void = () => undefined;
  let refused: (error: Error) => void = () => undefined;

  socket.on('message', (data) => {
    const frame = data.toString();
    if (frame.startsWith(prefix)) {
      const body = frame.slice(prefix.length);
      handler(EVENT_HEAD.exec(body)?.[1] ?? '', body);
    } else if (frame === '2') {
      socket.send('3');
    } else if (frame.startsWith(ackPrefix)) {
      const rest = frame.slice(ackPrefix.length);
      const bracket = rest.indexOf('[');
      const id = Number(rest.slice(0, bracket));
      const resolve = acks.get(id);
      acks.delete(id);
      resolve?.((JSON.parse(rest.slice(bracket)) as unknown[])[0]);
    } else if (frame.startsWith('0')) {
      socket.send(`40${nsp},${JSON.stringify(options.auth)}`);
    } else if (frame.startsWith(`40${nsp},`)) {
      connected();
    } else if (frame.startsWith(`44${nsp},`)) {
      refused(new Error(`namespace refused: ${frame}`));
    }
  });
  const ready = new Promise<void>((resolve, reject) => {
    connected = resolve;
    refused = reject;
  });
  return opened(socket, options.timeoutMs)
    .then(() => withTimeout(ready, options.timeoutMs ?? 10_000, 'namespace connect'))
    .then(() => ({
      emit: (event, json) => socket.send(`${prefix}["${event}",${json}]`),
      request(event, json, timeoutMs = 10_000) {
        const id = nextAck++;
        const answer = new Promise<unknown>((resolve) => acks.set(id, resolve));
        socket.send(`42${nsp},${id}["${event}",${json}]`);
        return withTimeout(answer, timeoutMs, event);
      },
      onFrame: (h) => (handler = h),
      close: () => socket.terminate(),
      get closed() {
        return socket.readyState !== WebSocket.OPEN;
      },
      onClose: (h) => socket.on('close', h),
    }));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
