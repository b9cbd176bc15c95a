import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterFixture } from '../build/fixtures.ts';
import { issueSelfSigned } from '../tls/self-signed.ts';
import type { Finding } from '../checks/findings.ts';
import type { PodFacts } from '../checks/pods.ts';
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
/** A cluster where everything is as it should be, but for the certificate. */
const quiet: Observed = {
  keys: {},
  tls: undefined,
  deployment: rolledOut,
  redisReady: 1,
  certificateConditions: undefined,
  secrets: new Map(),
  redisVolume: undefined,
  pods: [],
};
const pod = (name: string, component: string, reason?: string, message?: string): PodFacts => ({
  name,
  component,
  ready: reason === undefined,
  reason,
  message,
});

test('Ready with counts, selector, endpoint, snippet and expiry; unchanged status compares equal', async () => {
  const cluster = clusterFixture();
  const tls = { ...(await issueSelfSigned('cobrowse.example.com', 90, now)), rotation: '' };
  const observed: Observed = { ...quiet, tls };
  const status = computeStatus(cluster, {
    observed,
    rotation: '',
    error: undefined,
    findings: [],
    now,
  });
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
    {
      observed,
      rotation: '',
      error: undefined,
      findings: [],
      now: new Date(now.getTime() + 60_000),
    },
  );
  assert.ok(sameJson(again, status));
});

test('Ready and Degraded say what keeps the cluster from serving, worst first', async () => {
  const tls = { ...(await issueSelfSigned('cobrowse.example.com', 90, now)), rotation: '' };
  const conditionsOf = (
    observed: Partial<Observed>,
    findings: Finding[] = [],
    error?: string,
    spec: Record<string, unknown> = {},
  ) =>
    computeStatus(clusterFixture(spec), {
      observed: { ...quiet, tls, ...observed },
      rotation: '',
      error,
      findings,
      now,
    }).conditions?.map((c) => `${c.type}=${c.status}/${c.reason}: ${c.message}`);
  const scalingUp = { ...rolledOut, specReplicas: 5, replicas: 5, updatedReplicas: 5 };
  const cases: { name: string; got: string[] | undefined; want: string[] }[] = [
    {
      name: 'no certificate yet',
      got: conditionsOf({ tls: undefined }),
      want: [
        'Ready=False/CertificateNotReady: waiting for Secret tandem-tls with a certificate',
        'Progressing=False/RolloutComplete: 2 of 2 pods updated and available',
        'Degraded=False/AsExpected: no error',
      ],
    },
    {
      name: 'a reconcile error',
      got: conditionsOf({}, [], 'boom'),
      want: [
        'Ready=False/ReconcileFailed: boom',
        'Progressing=False/RolloutComplete: 2 of 2 pods updated and available',
        'Degraded=True/ReconcileFailed: boom',
      ],
    },
    {
      name: 'Redis pod pulling its image fails',
      got: conditionsOf({
        redisReady: 0,
        pods: [pod('tandem-redis-0', 'redis', 'ImagePullBackOff', 'Back-off pulling image "r"')],
      }),
      want: [
        'Ready=False/RedisFailing: waiting for the Redis pod: tandem-redis-0: ImagePullBackOff (Back-off pulling image "r")',
        'Progressing=False/RolloutComplete: 2 of 2 pods updated and available',
        'Degraded=True/RedisFailing: waiting for the Redis pod: tandem-redis-0: ImagePullBackOff (Back-off pulling image "r")',
      ],
    },
    {
      name: 'no server pod ready, one unschedulable',
      got: conditionsOf({
        deployment: { ...rolledOut, readyReplicas: 0, availableReplicas: 0 },
        pods: [
          pod('tandem-a', 'server', 'Unschedulable', '0/3 nodes are available'),
          pod('tandem-b', 'server', 'ContainerCreating'),
        ],
      }),
      want: [
        'Ready=False/PodsFailing: 0 of 2 pods ready: tandem-a: Unschedulable (0/3 nodes are available); tandem-b: ContainerCreating',
        'Progressing=True/RollingOut: 2 of 2 pods updated, 0 available, 2 in total',
        'Degraded=True/PodsFailing: 0 of 2 pods ready: tandem-a: Unschedulable (0/3 nodes are available); tandem-b: ContainerCreating',
      ],
    },
    {
      name: 'a scale-up: Ready stays, Progressing says how far',
      got: conditionsOf(
        { deployment: scalingUp, pods: [pod('tandem-c', 'server', 'ContainerCreating')] },
        [],
        undefined,
        { replicas: 5 },
      ),
      want: [
        'Ready=True/ReplicasStarting: 2 of 5 pods ready; 5 of 5 pods updated, 2 available, 5 in total',
        'Progressing=True/RollingOut: 5 of 5 pods updated, 2 available, 5 in total',
        'Degraded=False/AsExpected: no error',
      ],
    },
    {
      name: 'a bad image in a rollout: old pods serve, Degraded names the new one',
      got: conditionsOf({
        deployment: { ...rolledOut, updatedReplicas: 1, replicas: 3 },
        pods: [pod('tandem-new', 'server', 'ErrImagePull', 'not found')],
      }),
      want: [
        'Ready=True/ReplicasStarting: 2 of 2 pods ready; 1 of 2 pods updated, 2 available, 3 in total',
        'Progressing=True/RollingOut: 1 of 2 pods updated, 2 available, 3 in total',
        'Degraded=True/PodsFailing: 2 of 2 pods ready: tandem-new: ErrImagePull (not found)',
      ],
    },
    {
      name: 'blocking findings come before the rest, every problem in Degraded',
      got: conditionsOf({ tls: undefined }, [
        { reason: 'NoAgentTokenSource', message: 'no agent can sign in' },
        { reason: 'ConfigInvalid', message: 'spec.domRestrictions.mask[0]: bad' },
      ]),
      want: [
        'Ready=False/ConfigInvalid: spec.domRestrictions.mask[0]: bad',
        'Progressing=False/RolloutComplete: 2 of 2 pods updated and available',
        'Degraded=True/NoAgentTokenSource: no agent can sign in; spec.domRestrictions.mask[0]: bad',
      ],
    },
    {
      name: 'scaled to zero',
      got: conditionsOf(
        {
          deployment: {
            ...rolledOut,
            specReplicas: 0,
            replicas: 0,
            updatedReplicas: 0,
            readyReplicas: 0,
            availableReplicas: 0,
          },
        },
        [],
        undefined,
        { replicas: 0 },
      ),
      want: [
        'Ready=False/ScaledToZero: spec.replicas is 0: no server pod runs',
        'Progressing=False/RolloutComplete: 0 of 0 pods updated and available',
        'Degraded=False/AsExpected: no error',
      ],
    },
  ];
  for (const c of cases) assert.deepEqual(c.got, c.want, c.name);
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
