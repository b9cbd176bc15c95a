/**
 * What the operator's checks find, and the one catalogue of the reasons it reports. A reason's
 * kind decides what happens: `blocking` stops the apply (nothing new reaches a pod, what runs
 * keeps running), `problem` is applied but keeps the cluster from Ready, `waiting` is a normal
 * step on the way to Ready. Problems raise a Warning event; waiting never does.
 */

export type FindingKind = 'blocking' | 'problem' | 'waiting';

/** Every reason a `Ready` or `Degraded` condition carries, with its kind. docs/operator.md lists them. */
export const reasons = {
  AllReplicasReady: 'waiting',
  ReplicasStarting: 'waiting',
  InvalidSpec: 'blocking',
  ConfigInvalid: 'blocking',
  SecretNotFound: 'blocking',
  SecretKeyMissing: 'blocking',
  NoAgentTokenSource: 'problem',
  VolumeUnbound: 'problem',
  VolumePending: 'waiting',
  CertificateMissing: 'problem',
  CertificateNotReady: 'waiting',
  RedisFailing: 'problem',
  RedisNotReady: 'waiting',
  PodsFailing: 'problem',
  PodsNotReady: 'waiting',
  ScaledToZero: 'waiting',
  ReconcileFailed: 'problem',
} as const satisfies Record<string, FindingKind>;

export type Reason = keyof typeof reasons;

/** One fact a check found that keeps the cluster from Ready. */
export interface Finding {
  reason: Reason;
  /** What is wrong and what to do, naming the field, Secret or object. */
  message: string;
  /** The cluster serves anyway (some pods are ready): Degraded, but Ready stays. */
  degradesOnly?: boolean;
}

export function kindOf(reason: string): FindingKind | undefined {
  return Object.hasOwn(reasons, reason) ? reasons[reason as Reason] : undefined;
}

/** True for a reason an admin must act on (a Warning event is due). */
export function needsAction(reason: string): boolean {
  const kind = kindOf(reason);
  return kind === 'blocking' || kind === 'problem';
}
