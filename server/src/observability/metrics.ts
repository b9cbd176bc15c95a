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
      help: 'Customer send to server relay, by the customer clock (skewed across machines)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    certificateExpiry: new Gauge({
      name: 'tandem_tls_certificate_expiry_seconds',
      help: 'Unix time the serving certificate expires',
      registers,
    }),
  };
}
