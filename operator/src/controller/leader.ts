/**
 * Leader election with a coordination.k8s.io Lease, as client-go does it: the holder renews the
 * Lease every `retryPeriod`; another replica takes it over only once it has not been renewed for
 * `leaseDuration`; a leader that cannot renew within `renewDeadline` stops acting (the caller
 * exits), so that two replicas never both reconcile. Updates carry the resourceVersion they read,
 * so two candidates cannot both win the same round.
 */
import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import type { Logger } from '../log.ts';

export interface LeaderElectionOptions {
  namespace: string;
  /** Lease name. Default `tandem-operator`. */
  name?: string;
  /** This replica's identity (pod name, or host and pid). */
  identity: string;
  /** How long a Lease stays valid without renewal. Default 15 s. */
  leaseDurationSeconds?: number;
  /** A leader that has not renewed for this long gives up. Default 10 s. */
  renewDeadlineSeconds?: number;
  /** How often to try to acquire or renew. Default 2 s. */
  retryPeriodSeconds?: number;
  now?: () => Date;
  log: Logger;
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/** `2006-01-02T15:04:05.000000Z`: the API server parses MicroTime with exactly six digits. */
export function microTime(date: Date): Date {
  return `${date.toISOString().slice(0, 23)}000Z` as unknown as Date;
}

function timeOf(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'string' ? Date.parse(value) : 0;
}

export type LeaseDecision = 'renew' | 'takeOver' | 'wait';

/** Pure: what a candidate does with the Lease it read. */
export function decideLease(lease: V1Lease, identity: string, now: Date): LeaseDecision {
  const holder = lease.spec?.holderIdentity ?? '';
  if (holder === identity) return 'renew';
  const renewedAt = timeOf(lease.spec?.renewTime ?? lease.spec?.acquireTime);
  const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
  if (holder === '' || renewedAt + durationMs < now.getTime()) return 'takeOver';
  return 'wait';
}

/** Runs until `signal` aborts; returns after releasing the Lease if it held it. */
export async function runLeaderElection(
  kc: KubeConfig,
  options: LeaderElectionOptions,
  callbacks: LeaderCallbacks,
  signal: AbortSignal,
): Promise<void> {
  const api = kc.makeApiClient(CoordinationV1Api);
  const name = options.name ?? 'tandem-operator';
  const { namespace, identity, log } = options;
  const leaseDuration = options.leaseDurationSeconds ?? 15;
  const renewDeadlineMs = (options.renewDeadlineSeconds ?? 10) * 1000;
  const retryMs = (options.retryPeriodSeconds ?? 2) * 1000;
  const now = options.now ?? (() => new Date());
  let leading = false;
  let lastRenew = 0;

  /** Writes `spec` over `lease`, failing with a conflict if someone else wrote it since it was read. */
  const replaceLease = (lease: V1Lease, spec: V1LeaseSpec): Promise<V1Lease> =>
    api.replaceNamespacedLease({
      name,
      namespace,
      body: {
        metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
        spec,
      },
    });

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const at = now();
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      await api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: leaseDuration,
            acquireTime: microTime(at),
            renewTime: microTime(at),
            leaseTransitions: 0,
          },
        },
      });
      return true;
    }
    const decision = decideLease(lease, identity, at);
    if (decision === 'wait') return false;
    const spec = lease.spec ?? {};
    await replaceLease(lease, {
      holderIdentity: identity,
      leaseDurationSeconds: leaseDuration,
      acquireTime: decision === 'takeOver' ? microTime(at) : spec.acquireTime,
      renewTime: microTime(at),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (decision === 'takeOver' ? 1 : 0),
    });
    return true;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  while (!signal.aborted) {
    let held = false;
    try {
      held = await tryAcquireOrRenew();
    } catch (error) {
      // Conflicts (someone else wrote first) and outages: not leading this round.
      log.debug({ lease: name, error: String(error) }, 'lease round failed');
    }
    if (held) {
      lastRenew = Date.now();
      if (!leading) {
        leading = true;
        log.info({ lease: name, identity }, 'became the leader');
        callbacks.onStartedLeading();
      }
    } else if (leading && Date.now() - lastRenew > renewDeadlineMs) {
      leading = false;
      log.error({ lease: name, identity }, 'lost the lease; stopping');
      callbacks.onStoppedLeading();
      return;
    } else if (!leading) {
      log.debug({ lease: name, identity }, 'waiting for the lease');
    }
    await sleep(retryMs);
  }
  if (leading) await release();

  async function release(): Promise<void> {
    try {
      const lease = await api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      await replaceLease(lease, {
        ...lease.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: microTime(now()),
      });
      log.info({ lease: name, identity }, 'released the lease');
    } catch (error) {
      log.warn({ lease: name, error: String(error) }, 'could not release the lease');
    }
  }
}
