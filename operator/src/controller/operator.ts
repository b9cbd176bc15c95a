/**
 * Wires the operator: leader election, then watches feeding the work queue, whose worker runs
 * one reconcile per key. Nothing is watched or written before this replica leads.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { apiVersion, kind, labelKeys, managedByValue, plural } from '../api/constants.ts';
import { groupPath, ownedKinds } from '../api/owned-kinds.ts';
import type { Logger } from '../log.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { createKubeClient } from '../reconcile/client.ts';
import { reconcile, type ReconcileDeps } from '../reconcile/reconcile.ts';
import { issueSelfSigned } from '../tls/self-signed.ts';
import { runLeaderElection, type LeaderElectionOptions } from './leader.ts';
import { WorkQueue } from './queue.ts';
import { watchKind, type WatchedKind } from './watch.ts';

const owned = `${labelKeys.managedBy}=${managedByValue}`;

/** What the operator watches: its resource, and every owned kind the table marks as watched. */
export const watchedKinds: readonly WatchedKind[] = [
  {
    apiVersion,
    kind,
    groupPath: `/apis/${apiVersion}`,
    resource: plural,
  },
  ...ownedKinds
    .filter((k) => k.watch)
    .map((k) => ({
      apiVersion: k.apiVersion,
      kind: k.kind,
      groupPath: groupPath(k),
      resource: k.resource,
      labelSelector: owned,
      optional: k.optional,
    })),
];

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  metrics: OperatorMetrics;
  leaderElection: Omit<LeaderElectionOptions, 'log'>;
  /** Watch only this namespace (default: every namespace). */
  watchNamespace?: string;
  /** Every key is reconciled again after this long even without an event. Default 10 minutes. */
  resyncMs?: number;
  /** Test hook: called after each applied object. */
  afterApply?: ReconcileDeps['afterApply'];
}

export interface RunningOperator {
  /** Resolves when the operator stopped (asked to, or lost the lease: then `lostLease` is true). */
  done: Promise<{ lostLease: boolean }>;
  stop(): Promise<void>;
}

export function startOperator(options: OperatorOptions): RunningOperator {
  const { kubeConfig, log, metrics } = options;
  const abort = new AbortController();
  const stops: (() => void)[] = [];
  let lostLease = false;
  const deps: ReconcileDeps = {
    client: createKubeClient(kubeConfig),
    log,
    now: () => new Date(),
    random: (n) => randomBytes(n),
    issueCertificate: issueSelfSigned,
    onStatusWrite: () => metrics.statusWrites.inc(),
    prunedFor: new Map(),
    ...(options.afterApply ? { afterApply: options.afterApply } : {}),
  };
  const queue = new WorkQueue(async (key) => {
    const [namespace = '', name = ''] = key.split('/');
    const endTimer = metrics.reconcileDuration.startTimer();
    log.info({ namespace, name }, 'reconcile');
    try {
      const outcome = await reconcile(deps, namespace, name);
      metrics.reconciles.inc({ result: 'success' });
      return outcome;
    } catch (error) {
      metrics.reconciles.inc({ result: 'error' });
      metrics.reconcileErrors.inc();
      log.error(
        { namespace, name, error: String(error) },
        'reconcile failed; retrying with backoff',
      );
      throw error;
    } finally {
      endTimer();
    }
  });
  const resyncMs = options.resyncMs ?? 600_000;
  const onKey = (key: string): void => {
    queue.add(key);
    queue.addAfter(key, resyncMs);
  };

  const done = runLeaderElection(
    kubeConfig,
    { ...options.leaderElection, log },
    {
      onStartedLeading() {
        metrics.leader.set(1);
        for (const watched of watchedKinds)
          stops.push(watchKind(kubeConfig, watched, options.watchNamespace, onKey, log));
      },
      onStoppedLeading() {
        metrics.leader.set(0);
        lostLease = true;
        abort.abort();
      },
    },
    abort.signal,
  ).then(() => {
    for (const stop of stops.splice(0)) stop();
    queue.stop();
    return { lostLease };
  });

  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
