/** Socket.IO on the shared listener: origin checks at the handshake, then the two namespaces. */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { AGENT_NAMESPACE, CUSTOMER_NAMESPACE } from '../protocol/index.ts';
import {
  AGENT_FRAMES,
  CUSTOMER_FRAMES,
  FRAME_LIMITS,
  type FrameBound,
} from '../protocol/frame-limits.ts';
import { createBoundedParser } from './bounded-parser.ts';
import { countEngineRefusals } from './engine-errors.ts';
import { requireAgentAuth } from '../security/agent-access.ts';
import type { TokenVerifier } from '../security/agent-tokens.ts';
import { isAllowedOrigin } from '../security/origins.ts';
import { agentActorOf, SYSTEM_ACTOR } from '../security/audit-actors.ts';
import { DEFAULT_CSP } from './security-headers.ts';
import { slimHandshakeRequests } from './handshake-request.ts';
import { attachAgentNamespace } from './agent-namespace.ts';
import { attachCustomerNamespace, type NamespaceDeps } from './customer-namespace.ts';
import { namespacesOf, type TandemServer } from './socket-types.ts';

export interface SocketServerOptions extends Omit<NamespaceDeps, 'namespaces' | 'addressOf'> {
  /** Verifies agents' bearer tokens at the agent namespace's handshake. */
  verifier: TokenVerifier;
  allowedOrigins: readonly string[];
  /** The agent console's own origins (config, not the Host header): the agent namespace's only ones. */
  consoleOrigins: () => readonly string[];
  maxMessageBytes: number;
  secure: boolean;
  trustProxy: boolean;
}

export function createSocketServer(http: HttpServer, options: SocketServerOptions): TandemServer {
  const { log, metrics } = options;
  /**
   * Counts, logs and audits a connection refused for its origin: at the handshake (any
   * namespace, `handshake` in the metric) or at the agent namespace.
   */
  const refuseOrigin = (stage: 'handshake' | 'agent', origin: string, message: string): void => {
    metrics.messagesDropped.inc({ namespace: stage, event: 'connect', reason: 'forbidden_origin' });
    log.warn({ origin: origin.slice(0, 200) }, message);
    options.audit?.('origin.refused', {
      actor: stage === 'handshake' ? SYSTEM_ACTOR : agentActorOf(undefined),
      target: origin.slice(0, 200),
      reason: 'forbidden_origin',
      detail: { namespace: stage === 'handshake' ? 'any' : 'agent' },
    });
  };
  const io: TandemServer = new Server(http, {
    serveClient: false,
    // Every frame is checked against the protocol's bounds before Socket.IO dispatches it.
    parser: createBoundedParser({
      rules: {
        table: new Map<string, Readonly<Record<string, FrameBound>>>([
          [CUSTOMER_NAMESPACE, CUSTOMER_FRAMES],
          [AGENT_NAMESPACE, AGENT_FRAMES],
        ]),
        pageBytes: options.maxMessageBytes,
      },
      log,
      metrics,
    }),
    // The largest message the protocol has (a page event), with Socket.IO's framing; the parser
    // then bounds each event to its own size.
    maxHttpBufferSize: options.maxMessageBytes + FRAME_LIMITS.framingBytes,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    // Preflight answers for pages on allowlisted origins (same-origin pages need none).
    cors: {
      origin: (origin, callback) =>
        callback(null, origin !== undefined && isAllowedOrigin(origin, options.allowedOrigins)),
      credentials: false,
    },
    // Browsers always send Origin cross-origin; a missing one is a same-origin request or not a browser.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      if (origin === undefined) return callback(null, true);
      const allowed = isAllowedOrigin(origin, options.allowedOrigins, options.consoleOrigins());
      if (!allowed) refuseOrigin('handshake', origin, 'connection refused: origin not allowed');
      callback(allowed ? null : 'forbidden_origin', allowed);
    },
  });

  // Socket.IO's own HTTP responses (polling, handshake) carry the same strict headers as Koa's.
  const strictHeaders = (headers: Record<string, string>): void => {
    headers['X-Content-Type-Options'] = 'nosniff';
    headers['Referrer-Policy'] = 'no-referrer';
    headers['Content-Security-Policy'] = DEFAULT_CSP;
    headers['Cache-Control'] = 'no-store';
    if (options.secure) headers['Strict-Transport-Security'] = 'max-age=31536000';
  };
  io.engine.on('initial_headers', strictHeaders);
  io.engine.on('headers', strictHeaders);
  // A connection keeps a few headers, not the IncomingMessage that opened it. Socket.IO's own
  // `connection` listener ran first and did not read it; its namespaces read what is kept.
  slimHandshakeRequests(io.engine);
  // What Engine.IO (or ws) refuses below the parser closes the connection; counted, logged.
  countEngineRefusals(io.engine, { log, metrics });

  const addressOf = (socket: Socket): string => {
    if (options.trustProxy) {
      const forwarded = socket.handshake.headers['x-forwarded-for'];
      const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
      if (first) return first;
    }
    return socket.handshake.address;
  };

  const namespaces = namespacesOf(io, CUSTOMER_NAMESPACE, AGENT_NAMESPACE);
  const { customers, agents } = namespaces;
  // The agent console is served by this server: agents connect only from its own origin.
  agents.use((socket, next) => {
    const origin = socket.handshake.headers.origin;
    if (origin === undefined || options.consoleOrigins().includes(origin)) return next();
    refuseOrigin('agent', origin, 'agent connection refused: not the console origin');
    next(new Error('forbidden_origin'));
  });
  // After the origin check: a token is verified only for a connection from the console's origin.
  requireAgentAuth(agents, {
    verifier: options.verifier,
    log,
    metrics,
    audit: options.audit ?? (() => undefined),
    addressOf,
  });

  const deps: NamespaceDeps = {
    ...options,
    namespaces,
    addressOf,
    isSiteOrigin: (origin) =>
      isAllowedOrigin(origin, options.allowedOrigins, options.consoleOrigins()),
  };
  attachCustomerNamespace(customers, deps);
  attachAgentNamespace(agents, deps);
  return io;
}
