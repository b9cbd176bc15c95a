/**
 * The Tandem operator's entry point: `node operator/dist/main.js` (or through tsx in
 * development). Reconciles `CoBrowseCluster` resources in every namespace once it holds the
 * leader Lease. Options come from flags or the environment (see `--help`).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { startOperator } from './controller/operator.ts';
import { createLogger, type LogLevel } from './log.ts';
import { createMetrics } from './metrics.ts';

export const operatorName = 'tandem-operator';

const usage = `usage: ${operatorName} [options]
  --kubeconfig FILE        kubeconfig (default: in-cluster, else $KUBECONFIG or ~/.kube/config)
  --watch-namespace NS     reconcile only this namespace (default: all; $WATCH_NAMESPACE)
  --lease-namespace NS     namespace of the leader Lease (default: $POD_NAMESPACE or default)
  --identity ID            leader identity (default: $POD_NAME or host-pid)
  --lease-duration S       seconds (default 15); --renew-deadline S (10); --retry-period S (2)
  --metrics-port N         Prometheus /metrics and /healthz (default 8080; 0 picks one)
  --log-level LEVEL        debug, info, warn, error (default info)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'watch-namespace': { type: 'string' },
      'lease-namespace': { type: 'string' },
      identity: { type: 'string' },
      'lease-duration': { type: 'string' },
      'renew-deadline': { type: 'string' },
      'retry-period': { type: 'string' },
      'metrics-port': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const level = (values['log-level'] ?? process.env['LOG_LEVEL'] ?? 'info') as LogLevel;
  const identity = values.identity ?? process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`;
  const log = createLogger(level, undefined, { identity });
  const kubeConfig = new KubeConfig();
  if (values.kubeconfig) kubeConfig.loadFromFile(values.kubeconfig);
  else kubeConfig.loadFromDefault();
  const metrics = createMetrics();
  const watchNamespace = values['watch-namespace'] ?? process.env['WATCH_NAMESPACE'];
  const num = (value: string | undefined, fallback: number): number =>
    value === undefined ? fallback : Number(value);

  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(text);
      });
    } else if (req.url === '/healthz') {
      res.end('ok');
    } else {
      res.writeHead(404).end();
    }
  });
  const port = num(values['metrics-port'], 8080);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  const address = server.address();
  log.info(
    { metricsPort: typeof address === 'object' && address ? address.port : port },
    'metrics listening',
  );

  // Test hook (never set in production): stop forever after N applies, to kill a reconcile mid-way.
  const haltAfter = Number(process.env['TANDEM_OPERATOR_TEST_HALT_AFTER_APPLIES'] ?? 0);
  let applies = 0;
  const operator = startOperator({
    kubeConfig,
    log,
    metrics,
    ...(watchNamespace ? { watchNamespace } : {}),
    leaderElection: {
      namespace: values['lease-namespace'] ?? process.env['POD_NAMESPACE'] ?? 'default',
      identity,
      leaseDurationSeconds: num(values['lease-duration'], 15),
      renewDeadlineSeconds: num(values['renew-deadline'], 10),
      retryPeriodSeconds: num(values['retry-period'], 2),
    },
    ...(haltAfter > 0
      ? {
          afterApply: async (object) => {
            applies += 1;
            if (applies >= haltAfter) {
              log.warn({ kind: object.kind, applies }, 'test hook: halting mid-reconcile');
              await new Promise(() => undefined);
            }
          },
        }
      : {}),
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'stopping');
      void operator.stop();
    });
  }
  const { lostLease } = await operator.done;
  server.close();
  process.exitCode = lostLease ? 1 : 0;
  // Open watches and sockets do not keep a stopping operator alive.
  setTimeout(() => process.exit(), 500).unref();
}

if (process.argv[1]?.endsWith('main.ts') || process.argv[1]?.endsWith('main.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ level: 'error', msg: 'operator failed', error: String(error) })}\n`,
    );
    process.exit(1);
  });
}
