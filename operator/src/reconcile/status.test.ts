import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterFixture } from '../build/fixtures.ts';
import { issueSelfSigned } from '../tls/self-signed.ts';
import type { Observed } from './gather.ts';
import { withIssuingCondition } from './reissue.ts';
import { computeStatus, sameJson } from './status.ts';

const now = new Date('2030-01-01T00:00:00Z');
const rolledOut = {
  generation: 2,
  observedGeneration: 2,
  specReplicas: 2,
  replicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
};

test('Ready with counts, selector, endpoint, snippet and expiry; unchanged status compares equal', async () => {
  const cluster = clusterFixture();
  const tls = { ...(await issueSelfSigned('cobrowse.example.com', 90, now)), rotation: '' };
  const observed: Observed = {
    keys: {},
    tls,
    deployment: rolledOut,
    redisReady: 1,
    certificateConditions: undefined,
  };
  const status = computeStatus(cluster, { observed, rotation: '', error: undefined, now });
  assert.deepEqual(status, {
    observedGeneration: 3,
    replicas: 2,
    readyReplicas: 2,
    selector:
      'app.kubernetes.io/component=server,app.kubernetes.io/instance=tandem,app.kubernetes.io/name=tandem',
    endpoint: 'https://cobrowse.example.com/',
    snippet: '<script src="https://cobrowse.example.com/tandem.js" defer></script>',
    certificate: { secretName: 'tandem-tls', notAfter: '2030-04-01T00:00:00Z', rotation: '' },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'AllReplicasReady',
        message: '2 of 2 pods ready',
        observedGeneration: 3,
        lastTransitionTime: '2030-01-01T00:00:00Z',
      },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'RolloutComplete',
        message: '2 of 2 pods updated and available',
        observedGeneration: 3,
        lastTransitionTime: '2030-01-01T00:00:00Z',
      },
      {
        type: 'Degraded',
        status: 'False',
        reason: 'AsExpected',
        message: 'no error',
        observedGeneration: 3,
        lastTransitionTime: '2030-01-01T00:00:00Z',
      },
    ],
  });
  // Later, nothing changed: the same status (transition times kept), so nothing is written.
  const again = computeStatus(
    { ...cluster, status },
    { observed, rotation: '', error: undefined, now: new Date(now.getTime() + 60_000) },
  );
  assert.ok(sameJson(again, status));
});

test('NotReady reasons: certificate, Redis, rollout, error', () => {
  const cluster = clusterFixture();
  const reason = (observed: Partial<Observed>, error?: string) =>
    computeStatus(cluster, {
      observed: {
        keys: {},
        tls: undefined,
        deployment: rolledOut,
        redisReady: 1,
        certificateConditions: undefined,
        ...observed,
      },
      rotation: '',
      error,
      now,
    }).conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`);
  assert.deepEqual(reason({}), [
    'Ready=False/CertificateNotReady',
    'Progressing=False/RolloutComplete',
    'Degraded=False/AsExpected',
  ]);
  assert.deepEqual(reason({}, 'boom'), [
    'Ready=False/ReconcileFailed',
    'Progressing=False/RolloutComplete',
    'Degraded=True/ReconcileFailed',
  ]);
});

test('Issuing condition replaces an old one and keeps the others', () => {
  const conditions = withIssuingCondition(
    [
      { type: 'Ready', status: 'True' },
      { type: 'Issuing', status: 'False' },
    ],
    'why',
    now,
    undefined,
  );
  assert.deepEqual(conditions, [
    { type: 'Ready', status: 'True' },
    {
      type: 'Issuing',
      status: 'True',
      reason: 'ManuallyTriggered',
      message: 'why',
      lastTransitionTime: '2030-01-01T00:00:00Z',
    },
  ]);
});
