/** The resource proxy's metrics, registered on the node's registry. */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface ProxyMetrics {
  /** Every proxy request, by outcome (`served`, `refused`, `redirected`). */
  requests: Counter<'outcome'>;
  /** Cache lookups, by result (`hit`, `miss`, `disabled`). */
  cache: Counter<'result'>;
  /** Refusals by stable code (errors.ts). */
  refusals: Counter<'reason'>;
  /** Time from the first upstream connection to the last byte, by outcome. */
  upstreamLatency: Histogram<'outcome'>;
}

export function createProxyMetrics(registry: Registry): ProxyMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'tandem_proxy_requests_total',
      help: 'Resource proxy requests, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    cache: new Counter({
      name: 'tandem_proxy_cache_lookups_total',
      help: 'Resource proxy cache lookups, by result (hit, miss, disabled)',
      labelNames: ['result'],
      registers,
    }),
    refusals: new Counter({
      name: 'tandem_proxy_refusals_total',
      help: 'Resource proxy refusals, by reason',
      labelNames: ['reason'],
      registers,
    }),
    upstreamLatency: new Histogram({
      name: 'tandem_proxy_upstream_seconds',
      help: 'Upstream fetch time of the resource proxy, by outcome',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
