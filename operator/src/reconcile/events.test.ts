import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition } from '../api/types.ts';
import { transitionEvents } from './events.ts';

const c = (type: Condition['type'], status: Condition['status'], reason: string): Condition => ({
  type,
  status,
  reason,
  message: `${type} ${reason}`,
  lastTransitionTime: '2030-01-01T00:00:00Z',
});
const fine = [c('Ready', 'True', 'AllReplicasReady'), c('Degraded', 'False', 'AsExpected')];

test('events: Ready once, a Warning per new problem, none for waiting or a scale-up', () => {
  const events = (before: Condition[], after: Condition[]) =>
    transitionEvents(before, after).map((e) => `${e.type}/${e.reason}`);
  // Creation: pods starting is no news; becoming Ready is.
  assert.deepEqual(events([], [c('Ready', 'False', 'PodsNotReady')]), []);
  assert.deepEqual(events([c('Ready', 'False', 'PodsNotReady')], fine), ['Normal/Ready']);
  // A scale-up keeps Ready True: nothing.
  assert.deepEqual(
    events(fine, [c('Ready', 'True', 'ReplicasStarting'), c('Degraded', 'False', 'AsExpected')]),
    [],
  );
  // A problem is reported once, by its reason, whichever condition carries it.
  const broken = [c('Ready', 'False', 'ConfigInvalid'), c('Degraded', 'True', 'ConfigInvalid')];
  assert.deepEqual(events(fine, broken), ['Warning/ConfigInvalid']);
  assert.deepEqual(events(broken, broken), []);
  assert.deepEqual(
    events(broken, [
      c('Ready', 'False', 'ConfigInvalid'),
      c('Degraded', 'True', 'NoAgentTokenSource'),
    ]),
    ['Warning/NoAgentTokenSource'],
  );
  // Pods failing while others serve: Degraded only, still a Warning.
  assert.deepEqual(
    events(fine, [c('Ready', 'True', 'ReplicasStarting'), c('Degraded', 'True', 'PodsFailing')]),
    ['Warning/PodsFailing'],
  );
  // ReconcileFailed has its own event where the error is caught.
  assert.deepEqual(events(fine, [c('Ready', 'False', 'ReconcileFailed')]), []);
});
