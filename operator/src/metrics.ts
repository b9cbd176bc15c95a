/** The operator's Prometheus metrics. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconciles: Counter<'result'>;
  reconcileErrors: Counter;
  reconcileDuration: Histogram;
  statusWrites: Counter;
  leader: Gauge;
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry();
  return {
    registry,
    reconciles: new Counter({
      name: 'tandem_operator_reconciles_total',
      help: 'Reconciles of CoBrowseCluster resources, by result (success, error)',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'tandem_operator_reconcile_errors_total',
      help: 'Reconciles that failed and were retried with backoff',
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'tandem_operator_reconcile_duration_seconds',
      help: 'Time one reconcile took',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    statusWrites: new Counter({
      name: 'tandem_operator_status_writes_total',
      help: 'Status updates written (only when the status changed)',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'tandem_operator_leader',
      help: '1 while this replica holds the leader Lease',
      registers: [registry],
    }),
  };
}
