import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './kube.ts';
import { repoRoot } from './paths.ts';

/** An operator started as a local process (`operator/src/main.ts` through tsx). */
export interface OperatorProcess {
  readonly identity: string;
  readonly child: ChildProcess;
  /** Every JSON log line it wrote so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Waits for a log line whose `msg` equals `message` (and whose fields match `fields`). */
  waitForLog(
    message: string,
    fields?: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** The port of its /metrics endpoint, once it listens. */
  metricsPort(): Promise<number>;
  /** Sends a signal and waits until it exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface OperatorProcessOptions {
  kubeconfigPath: string;
  identity: string;
  /** Reconcile only this namespace (keeps test files apart) and hold the Lease there. */
  namespace: string;
  /** Namespace of the leader Lease; default `namespace`. */
  leaseNamespace?: string;
  env?: Record<string, string>;
}

/** Starts the operator with short lease timings, so that failover takes seconds. */
export function startOperatorProcess(options: OperatorProcessOptions): OperatorProcess {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'operator/src/main.ts'),
      '--kubeconfig',
      options.kubeconfigPath,
      '--watch-namespace',
      options.namespace,
      '--lease-namespace',
      options.leaseNamespace ?? options.namespace,
      '--identity',
      options.identity,
      '--lease-duration',
      '4',
      '--renew-deadline',
      '3',
      '--retry-period',
      '1',
      '--metrics-port',
      '0',
      '--log-level',
      'debug',
    ],
    { cwd: repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const matches = (
    line: Record<string, unknown>,
    message: string,
    fields: Record<string, unknown>,
  ) => line['msg'] === message && Object.entries(fields).every(([k, v]) => line[k] === v);
  return {
    identity: options.identity,
    child,
    logs: () => [...lines],
    waitForLog: (message, fields = {}, timeoutMs = 30_000) =>
      waitFor(
        `operator ${options.identity} to log "${message}"`,
        () => lines.find((l) => matches(l, message, fields)),
        { timeoutMs },
      ),
    async metricsPort() {
      const line = await waitFor('the metrics port', () =>
        lines.find((l) => l['msg'] === 'metrics listening'),
      );
      return Number(line['metricsPort']);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
