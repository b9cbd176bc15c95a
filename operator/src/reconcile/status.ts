/**
 * Status, computed by a pure function from the resource and what was observed, and compared with
 * the current one so that it is written only when it changed.
 */
import { rotateCertificateAnnotation } from '../api/constants.ts';
import type { CoBrowseCluster, CoBrowseClusterStatus, Condition } from '../api/types.ts';
import { objectNames, selectorLabels, selectorString } from '../build/common.ts';
import { inspectCertificate } from '../tls/self-signed.ts';
import { needsAction, reasons, type Finding } from '../checks/findings.ts';
import { describeNotReady, isFailing } from '../checks/pods.ts';
import type { Observed } from './gather.ts';

export interface StatusInput {
  observed: Observed;
  /** The rotation request now handled (self-signed: issued for; cert-manager: triggered for). */
  rotation: string;
  /** A failure of this reconcile, reported as Degraded. */
  error: string | undefined;
  /** What the input checks found (checkInputs). */
  findings: readonly Finding[];
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

/** What keeps the cluster's certificate, Redis and server pods from serving, if anything. */
function workloadFindings(cluster: CoBrowseCluster, observed: Observed): Finding[] {
  const findings: Finding[] = [];
  const tlsName = objectNames(cluster).tls;
  const tlsOk =
    observed.tls !== undefined && inspectCertificate(observed.tls.certPem) !== undefined;
  if (!tlsOk) {
    findings.push(
      cluster.spec.tls.kind === 'existingSecret'
        ? { reason: 'CertificateMissing', message: `Secret ${tlsName} has no readable tls.crt` }
        : {
            reason: 'CertificateNotReady',
            message: `waiting for Secret ${tlsName} with a certificate`,
          },
    );
  }
  if (observed.redisReady !== undefined && observed.redisReady === 0) {
    const redisPods = observed.pods.filter((p) => p.component === 'redis');
    const why = describeNotReady(redisPods);
    findings.push({
      reason: redisPods.some(isFailing) ? 'RedisFailing' : 'RedisNotReady',
      message: `waiting for the Redis pod${why ? `: ${why}` : ''}`,
    });
  }
  const want = cluster.spec.replicas;
  const ready = observed.deployment?.readyReplicas ?? 0;
  const pods = observed.pods.filter((p) => p.component === 'server');
  const why = describeNotReady(pods);
  if (want === 0) {
    findings.push({ reason: 'ScaledToZero', message: 'spec.replicas is 0: no server pod runs' });
  } else if (ready === 0) {
    findings.push({
      reason: pods.some(isFailing) ? 'PodsFailing' : 'PodsNotReady',
      message: `0 of ${want} pods ready${why ? `: ${why}` : ''}`,
    });
  } else if (pods.some(isFailing)) {
    // Some pods serve, so agents can work; the failing ones still need an admin.
    findings.push({
      reason: 'PodsFailing',
      message: `${ready} of ${want} pods ready: ${why}`,
      degradesOnly: true,
    });
  }
  return findings;
}

const severity = { blocking: 0, problem: 1, waiting: 2 } as const;

function conditionsFor(cluster: CoBrowseCluster, input: StatusInput): ConditionCore[] {
  const { observed, error } = input;
  const progressing = rolloutState(cluster, observed);
  const all: Finding[] = [
    ...(error ? [{ reason: 'ReconcileFailed' as const, message: error }] : []),
    ...input.findings,
    ...workloadFindings(cluster, observed),
  ];
  const notReady = all
    .filter((f) => f.degradesOnly !== true)
    .sort((a, b) => severity[reasons[a.reason]] - severity[reasons[b.reason]]);
  const problems = all.filter((f) => needsAction(f.reason));
  const want = cluster.spec.replicas;
  const ready = observed.deployment?.readyReplicas ?? 0;
  const first = notReady[0];
  const readyCondition: ConditionCore = first
    ? { type: 'Ready', status: 'False', reason: first.reason, message: first.message }
    : progressing.status === 'False'
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'AllReplicasReady',
          message: `${want} of ${want} pods ready`,
        }
      : {
          type: 'Ready',
          status: 'True',
          reason: 'ReplicasStarting',
          message: `${ready} of ${want} pods ready; ${progressing.message}`,
        };
  const [worst] = problems;
  const degraded: ConditionCore = worst
    ? {
        type: 'Degraded',
        status: 'True',
        reason: worst.reason,
        message: problems.map((p) => p.message).join('; '),
      }
    : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no error' };
  return [readyCondition, progressing, degraded];
}

/** Keeps a condition's lastTransitionTime while its status does not change. */
export function withTransitionTimes(
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
