/**
 * Pods as an admin needs them in status: how many are ready, and for the others why not, from
 * the pod's own conditions and container states (what `kubectl describe pod` would show).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { labelKeys } from '../api/constants.ts';

/** One pod, reduced to what status reports. */
export interface PodFacts {
  name: string;
  component: string;
  ready: boolean;
  /** Why it is not ready: a container's waiting or terminated reason, `Unschedulable`, ... */
  reason: string | undefined;
  message: string | undefined;
}

/** Reasons that will not go away by waiting: an admin must act. */
const failingReasons = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'Unschedulable',
  'OOMKilled',
  'Error',
]);

/** Reduces a pod to its facts; `undefined` for a terminating pod (it no longer counts). */
export function describePod(pod: V1Pod): PodFacts | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const name = pod.metadata?.name ?? '';
  const component = pod.metadata?.labels?.[labelKeys.component] ?? '';
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  if (ready) return { name, component, ready, reason: undefined, message: undefined };
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return {
      name,
      component,
      ready,
      reason: scheduled.reason ?? 'Unschedulable',
      message: scheduled.message,
    };
  }
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason)
      return { name, component, ready, reason: waiting.reason, message: waiting.message };
    const last = status.lastState?.terminated ?? status.state?.terminated;
    if (last?.reason && !status.ready && status.restartCount > 0) {
      return { name, component, ready, reason: last.reason, message: last.message };
    }
  }
  const running = statuses.some((s) => s.state?.running);
  return running
    ? {
        name,
        component,
        ready,
        reason: 'ReadinessProbe',
        message: 'the readiness probe (/readyz) does not pass yet',
      }
    : { name, component, ready, reason: pod.status?.phase ?? 'Pending', message: undefined };
}

export function isFailing(pod: PodFacts): boolean {
  return !pod.ready && pod.reason !== undefined && failingReasons.has(pod.reason);
}

/** `name: Reason (message)` for up to three pods that are not ready, failing ones first. */
export function describeNotReady(pods: readonly PodFacts[]): string {
  const waiting = pods.filter((p) => !p.ready);
  const ordered = [...waiting.filter(isFailing), ...waiting.filter((p) => !isFailing(p))];
  const shown = ordered.slice(0, 3).map((p) => {
    const detail = p.message ? ` (${p.message.slice(0, 200)})` : '';
    return `${p.name}: ${p.reason ?? 'NotReady'}${detail}`;
  });
  const more = ordered.length > 3 ? `; ${ordered.length - 3} more` : '';
  return shown.join('; ') + more;
}
