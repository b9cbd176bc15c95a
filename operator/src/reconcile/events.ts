/**
 * Events follow conditions: a Normal `Ready` when the cluster becomes Ready, and a Warning named
 * after the reason when a condition starts to need an admin. Waiting (pods starting, a scale-up)
 * raises none, and a reason already reported is not reported again.
 */
import { parseStatus } from '../api/parse.ts';
import type { CoBrowseClusterStatus, Condition } from '../api/types.ts';
import { needsAction } from '../checks/findings.ts';
import { withTransitionTimes } from './status.ts';

export interface TransitionEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Reasons of conditions that say something is wrong: Ready=False or Degraded=True. */
function troubles(conditions: readonly Condition[]): Condition[] {
  return conditions.filter(
    (c) =>
      ((c.type === 'Ready' && c.status === 'False') ||
        (c.type === 'Degraded' && c.status === 'True')) &&
      needsAction(c.reason),
  );
}

/** The events due when conditions go from `before` to `after`. */
export function transitionEvents(
  before: readonly Condition[],
  after: readonly Condition[],
): TransitionEvent[] {
  const events: TransitionEvent[] = [];
  const readyBefore = before.find((c) => c.type === 'Ready');
  const readyAfter = after.find((c) => c.type === 'Ready');
  if (readyAfter?.status === 'True' && readyBefore?.status !== 'True') {
    events.push({ type: 'Normal', reason: 'Ready', message: readyAfter.message });
  }
  const known = new Set(troubles(before).map((c) => c.reason));
  // ReconcileFailed has its own event, with the error, where it is caught.
  known.add('ReconcileFailed');
  for (const c of troubles(after)) {
    if (known.has(c.reason)) continue;
    known.add(c.reason);
    events.push({ type: 'Warning', reason: c.reason, message: c.message });
  }
  return events;
}

/** The status of a resource as read, whatever else is wrong with it. */
export function parseStatusOf(raw: unknown): CoBrowseClusterStatus {
  const status =
    typeof raw === 'object' && raw !== null
      ? (raw as Record<string, unknown>)['status']
      : undefined;
  return parseStatus(status);
}

/** Conditions for a spec the operator cannot build from. */
export function invalidSpecConditions(
  previous: readonly Condition[] | undefined,
  generation: number,
  message: string,
  now: Date,
): Condition[] {
  return withTransitionTimes(
    [
      { type: 'Ready', status: 'False', reason: 'InvalidSpec', message },
      { type: 'Degraded', status: 'True', reason: 'InvalidSpec', message },
    ],
    previous,
    generation,
    now,
  );
}
