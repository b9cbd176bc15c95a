/**
 * Prometheus metrics. Each server owns its registry (tests run several in one process); the
 * metrics listener serves it on its own port.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  connections: Gauge<'namespace'>;
  sessionsStarted: Counter;
  sessionsEnded: Counter<'reason'>;
  messagesReceived: Counter<'namespace' | 'event'>;
  bytesReceived: Counter<'namespace'>;
  messagesRelayed: Counter<'event'>;
  messagesDropped: Counter<'namespace' | 'event' | 'reason'>;
  httpRequests: Counter<'route' | 'status'>;
  relayLatency: Histogram;
  certificateExpiry: Gauge;
  certificateReloads: Counter<'result'>;
  bytesSent: Counter<'namespace'>;
  storeErrors: Counter;
  storeConflicts: Counter;
  storeReady: Gauge;
  activeSessions: Gauge;
  activeAgents: Gauge;
  uncaughtErrors: Counter<'kind' | 'action'>;
  connectionsDropped: Counter<'namespace' | 'reason'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tandem_' });
  const registers = [registry];
  return {
    registry,
    connections: new Gauge({
      name: 'tandem_connections',
      help: 'Open Socket.IO connections',
      labelNames: ['namespace'],
      registers,
    }),
    sessionsStarted: new Counter({
      name: 'tandem_sessions_started_total',
      help: 'Sessions started',
      registers,
    }),
    sessionsEnded: new Counter({
      name: 'tandem_sessions_ended_total',
      help: 'Sessions ended, by reason',
      labelNames: ['reason'],
      registers,
    }),
    messagesReceived: new Counter({
      name: 'tandem_messages_received_total',
      help: 'Inbound messages accepted',
      labelNames: ['namespace', 'event'],
      registers,
    }),
    bytesReceived: new Counter({
      name: 'tandem_bytes_received_total',
      help: 'Bytes of inbound Socket.IO frames',
      labelNames: ['namespace'],
      registers,
    }),
    messagesRelayed: new Counter({
      name: 'tandem_messages_relayed_total',
      help: 'Messages relayed to agents',
      labelNames: ['event'],
      registers,
    }),
    messagesDropped: new Counter({
      name: 'tandem_messages_dropped_total',
      help: 'Inbound messages refused, by reason',
      labelNames: ['namespace', 'event', 'reason'],
      registers,
    }),
    httpRequests: new Counter({
      name: 'tandem_http_requests_total',
      help: 'HTTP requests',
      labelNames: ['route', 'status'],
      registers,
    }),
    relayLatency: new Histogram({
      name: 'tandem_relay_latency_seconds',
      help: "From the customer's node receiving a batch to the agent's node sending it on (server clocks)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    certificateReloads: new Counter({
      name: 'tandem_tls_certificate_reloads_total',
      help: 'Certificate file changes, by result (reloaded or refused)',
      labelNames: ['result'],
      registers,
    }),
    bytesSent: new Counter({
      name: 'tandem_bytes_sent_total',
      help: 'Bytes of outbound Socket.IO frames',
      labelNames: ['namespace'],
      registers,
    }),
    storeErrors: new Counter({
      name: 'tandem_store_errors_total',
      help: 'Store calls that failed (Redis unreachable)',
      registers,
    }),
    storeConflicts: new Counter({
      name: 'tandem_store_update_conflicts_total',
      help: 'Session updates that met another write between their read and their write, and were retried',
      registers,
    }),
    storeReady: new Gauge({
      name: 'tandem_store_ready',
      help: '1 when the store answers, else 0',
      registers,
    }),
    activeSessions: new Gauge({
      name: 'tandem_sessions_active',
      help: 'Sessions whose customer is connected to this node',
      registers,
    }),
    activeAgents: new Gauge({
      name: 'tandem_agents_active',
      help: 'Agents in a session, connected to this node',
      registers,
    }),
    uncaughtErrors: new Counter({
      name: 'tandem_uncaught_errors_total',
      help: 'Errors no handler caught, by kind (exception, rejection) and action (continued, exited)',
      labelNames: ['kind', 'action'],
      registers,
    }),
    connectionsDropped: new Counter({
      name: 'tandem_connections_dropped_total',
      help: 'Connections the server closed for what the peer did, by reason (outbound_buffer_full)',
      labelNames: ['namespace', 'reason'],
      registers,
    }),
    certificateExpiry: new Gauge({
      name: 'tandem_tls_certificate_expiry_seconds',
      help: 'Unix time the serving certificate expires',
      registers,
    }),
  };
}
