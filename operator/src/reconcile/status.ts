/**
 * Status, computed by a pure function from the resource and what was observed, and compared with
 * the current one so that it is written only when it changed.
 */
import { rotateCertificateAnnotation } from '../api/constants.ts';
import type { CoBrowseCluster, CoBrowseClusterStatus, Condition } from '../api/types.ts';
import { objectNames, selectorLabels, selectorString } from '../build/common.ts';
import { inspectCertificate } from '../tls/self-signed.ts';
import type { Observed } from './gather.ts';

export interface StatusInput {
  observed: Observed;
  /** The rotation request now handled (self-signed: issued for; cert-manager: triggered for). */
  rotation: string;
  /** A failure of this reconcile, reported as Degraded. */
  error: string | undefined;
  now: Date;
}

type ConditionCore = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/** The rotation value `kubectl annotate ... rotate-certificate=` asked for (`''` when none). */
export function requestedRotation(cluster: CoBrowseCluster): string {
  return cluster.metadata.annotations[rotateCertificateAnnotation] ?? '';
}

/** The snippet tag a website pastes. */
export function snippetTag(host: string): string {
  return `<script src="https://${host}/tandem.js" defer></script>`;
}

function rolloutState(cluster: CoBrowseCluster, observed: Observed): ConditionCore {
  const want = cluster.spec.replicas;
  const d = observed.deployment;
  if (!d)
    return {
      type: 'Progressing',
      status: 'True',
      reason: 'Creating',
      message: 'the Deployment is being created',
    };
  const done =
    d.observedGeneration >= d.generation &&
    d.specReplicas === want &&
    d.replicas === want &&
    d.updatedReplicas === want &&
    d.availableReplicas === want;
  return done
    ? {
        type: 'Progressing',
        status: 'False',
        reason: 'RolloutComplete',
        message: `${want} of ${want} pods updated and available`,
      }
    : {
        type: 'Progressing',
        status: 'True',
        reason: 'RollingOut',
        message: `${d.updatedReplicas} of ${want} pods updated, ${d.availableReplicas} available, ${d.replicas} in total`,
      };
}

function conditionsFor(cluster: CoBrowseCluster, input: StatusInput): ConditionCore[] {
  const { observed, error } = input;
  const progressing = rolloutState(cluster, observed);
  const tlsOk =
    observed.tls !== undefined && inspectCertificate(observed.tls.certPem) !== undefined;
  const redisOk = observed.redisReady === undefined || observed.redisReady > 0;
  const tlsName = objectNames(cluster).tls;
  const degraded: ConditionCore = error
    ? { type: 'Degraded', status: 'True', reason: 'ReconcileFailed', message: error }
    : !tlsOk && cluster.spec.tls.kind === 'existingSecret'
      ? {
          type: 'Degraded',
          status: 'True',
          reason: 'CertificateMissing',
          message: `Secret ${tlsName} has no readable tls.crt`,
        }
      : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no error' };
  const ready = cluster.spec.replicas;
  const readyCondition: ConditionCore = error
    ? { type: 'Ready', status: 'False', reason: 'ReconcileFailed', message: error }
    : !tlsOk
      ? {
          type: 'Ready',
          status: 'False',
          reason: 'CertificateNotReady',
          message: `waiting for Secret ${tlsName} with a certificate`,
        }
      : !redisOk
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'RedisNotReady',
            message: 'waiting for the Redis pod',
          }
        : progressing.status === 'True'
          ? { type: 'Ready', status: 'False', reason: 'PodsNotReady', message: progressing.message }
          : {
              type: 'Ready',
              status: 'True',
              reason: 'AllReplicasReady',
              message: `${ready} of ${ready} pods ready`,
            };
  return [readyCondition, progressing, degraded];
}

/** Keeps a condition's lastTransitionTime while its status does not change. */
function withTransitionTimes(
  next: ConditionCore[],
  previous: readonly Condition[] | undefined,
  generation: number,
  now: Date,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before && before.status === c.status && before.lastTransitionTime
        ? before.lastTransitionTime
        : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { ...c, observedGeneration: generation, lastTransitionTime };
  });
}

/** The status this reconcile observed. */
export function computeStatus(cluster: CoBrowseCluster, input: StatusInput): CoBrowseClusterStatus {
  const { observed } = input;
  const tls = observed.tls && inspectCertificate(observed.tls.certPem);
  const generation = cluster.metadata.generation;
  return {
    observedGeneration: generation,
    replicas: observed.deployment?.replicas ?? 0,
    readyReplicas: observed.deployment?.readyReplicas ?? 0,
    selector: selectorString(selectorLabels(cluster, 'server')),
    endpoint: `https://${cluster.spec.host}/`,
    snippet: snippetTag(cluster.spec.host),
    certificate: {
      secretName: objectNames(cluster).tls,
      ...(tls ? { notAfter: tls.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
      rotation: input.rotation,
    },
    conditions: withTransitionTimes(
      conditionsFor(cluster, input),
      cluster.status.conditions,
      generation,
      input.now,
    ),
  };
}

/** Deep equality of two JSON values, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The Ready condition's status, for transition events. */
export function readyOf(status: CoBrowseClusterStatus): string | undefined {
  return status.conditions?.find((c) => c.type === 'Ready')?.status;
}
