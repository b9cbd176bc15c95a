import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSpec } from '../api/check-spec.ts';
import { clusterFixture } from '../build/fixtures.ts';
import { checkAgentTokenSource } from './agents.ts';
import { describePod } from './pods.ts';
import { checkReferencedSecrets, type ReadSecrets } from './secrets.ts';
import { checkServerConfig } from './server-config.ts';
import { checkRedisVolume } from './volume.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const external = {
  agents: { secretRef: { name: 'agents', key: 'secret' } },
  redis: { external: { urlSecretRef: { name: 'redis', key: 'url' } } },
};

test('referenced Secrets: missing, without the key, empty, present', () => {
  const cluster = clusterFixture(external);
  const check = (secrets: ReadSecrets) =>
    checkReferencedSecrets(cluster, secrets).map((f) => `${f.reason}: ${f.message}`);
  assert.deepEqual(check(new Map()), [
    'SecretNotFound: Secret agents (spec.agents.secretRef) does not exist in namespace shop: create it with the key secret',
    'SecretNotFound: Secret redis (spec.redis.external.urlSecretRef) does not exist in namespace shop: create it with the key url',
  ]);
  assert.deepEqual(
    check(
      new Map<string, Record<string, string>>([
        ['agents', { other: b64('x'), more: b64('y') }],
        ['redis', { url: b64('  ') }],
      ]),
    ),
    [
      'SecretKeyMissing: Secret agents has no key secret (spec.agents.secretRef); its keys: more, other',
      'SecretKeyMissing: Secret redis key url (spec.redis.external.urlSecretRef) is empty',
    ],
  );
  assert.deepEqual(
    check(
      new Map<string, Record<string, string>>([
        ['agents', { secret: b64('s') }],
        ['redis', { url: b64('redis://r') }],
      ]),
    ),
    [],
  );
});

test("the server's own schema refuses :not(), a short agent secret and a non-Redis URL, naming the field", () => {
  const cluster = clusterFixture({
    ...external,
    domRestrictions: { mask: ['#card', 'input:not(.public)'], readOnly: ['a::before'] },
  });
  const values: Record<string, string> = {
    'agents.secret': 'too short',
    'cluster.redis.url': 'http://redis:6379',
  };
  const messages = checkServerConfig(cluster, (input) => values[input.serverPath]).map(
    (f) => `${f.reason}: ${f.message}`,
  );
  assert.equal(messages.length, 4, messages.join('\n'));
  assert.match(
    messages[0] ?? '',
    /^ConfigInvalid: the server would refuse its config: spec\.domRestrictions\.mask\[1\]: unsupported selector "input:not\(\.public\)"/,
  );
  assert.match(
    messages[1] ?? '',
    /spec\.domRestrictions\.readOnly\[0\]: unsupported selector "a::before"/,
  );
  assert.match(messages[2] ?? '', /Secret agents key secret \(spec\.agents\.secretRef\): .*32/);
  assert.match(
    messages[3] ?? '',
    /Secret redis key url \(spec\.redis\.external\.urlSecretRef\): expected a redis:\/\//,
  );
  assert.ok(!messages.join().includes('too short'), 'a secret value never enters a message');
  // Unreadable secrets get well-formed stand-ins: only the spec's own errors are reported.
  assert.equal(checkServerConfig(cluster, () => undefined).length, 2);
  assert.deepEqual(
    checkServerConfig(clusterFixture(), () => undefined),
    [],
  );
});

test('no agent token source is a finding; a JWKS URL or a secret is enough', () => {
  assert.equal(checkAgentTokenSource(clusterFixture())[0]?.reason, 'NoAgentTokenSource');
  assert.deepEqual(
    checkAgentTokenSource(clusterFixture({ agents: { jwksUrl: 'https://i/j' } })),
    [],
  );
  assert.deepEqual(checkAgentTokenSource(clusterFixture(external)), []);
});

test('a Pending Redis claim names itself and the StorageClass it lacks', () => {
  const cluster = clusterFixture();
  const volume = { claimName: 'data-tandem-redis-0', phase: 'Pending' };
  const check = (storageClassName: string | undefined, storageClassExists: boolean | undefined) =>
    checkRedisVolume(cluster, { ...volume, storageClassName, storageClassExists }).map(
      (f) => `${f.reason}: ${f.message}`,
    );
  assert.deepEqual(check('fast', false), [
    'VolumeUnbound: PersistentVolumeClaim data-tandem-redis-0 is Pending: StorageClass fast does not exist; create it, or set spec.redis.managed.storageClassName to one that does (kubectl get storageclass)',
  ]);
  assert.match(
    check(undefined, undefined)[0] ?? '',
    /^VolumeUnbound: .*names no StorageClass, the cluster has no default/,
  );
  assert.match(
    check('standard', true)[0] ?? '',
    /^VolumePending: .*waiting for StorageClass standard/,
  );
  assert.deepEqual(
    checkRedisVolume(cluster, {
      ...volume,
      phase: 'Bound',
      storageClassName: 'x',
      storageClassExists: undefined,
    }),
    [],
  );
});

test('a pod says why it is not ready', () => {
  const meta = { name: 'p', labels: { 'app.kubernetes.io/component': 'server' } };
  const reasonOf = (status: Record<string, unknown>) => {
    const facts = describePod({ metadata: meta, status });
    return facts && `${facts.ready}/${facts.reason}/${facts.message ?? ''}`;
  };
  assert.equal(reasonOf({ conditions: [{ type: 'Ready', status: 'True' }] }), 'true/undefined/');
  assert.equal(
    reasonOf({
      conditions: [
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes' },
      ],
    }),
    'false/Unschedulable/0/3 nodes',
  );
  assert.equal(
    reasonOf({
      containerStatuses: [
        {
          name: 's',
          ready: false,
          restartCount: 0,
          image: 'i',
          imageID: '',
          state: { waiting: { reason: 'ImagePullBackOff', message: 'no such image' } },
        },
      ],
    }),
    'false/ImagePullBackOff/no such image',
  );
  assert.equal(
    reasonOf({
      containerStatuses: [
        {
          name: 's',
          ready: false,
          restartCount: 0,
          image: 'i',
          imageID: '',
          state: { running: {} },
        },
      ],
    }),
    'false/ReadinessProbe/the readiness probe (/readyz) does not pass yet',
  );
  assert.equal(describePod({ metadata: { ...meta, deletionTimestamp: new Date() } }), undefined);
});

test('checkSpec names what the CRD schema cannot check', () => {
  assert.deepEqual(
    checkSpec({
      host: 'h.example.com',
      resources: { requests: { cpu: 'lots', memory: '256Mi' }, limits: { memory: 512 } },
      redis: { managed: { resources: { limits: { cpu: '1.5x' } } } },
      placement: {
        tolerations: [{ key: 'k', operator: 'Sometimes', effect: 'NoSchedule', colour: 'red' }],
        affinity: { nodeAffinity: {}, podAntiAffinity: 'yes', hostAffinity: {} },
      },
    }).map((i) => `${i.path}: ${i.message}`),
    [
      'spec.resources.requests.cpu: "lots" is not a Kubernetes quantity (e.g. 250m, 1, 512Mi)',
      'spec.redis.managed.resources.limits.cpu: "1.5x" is not a Kubernetes quantity (e.g. 250m, 1, 512Mi)',
      'spec.placement.tolerations[0].colour: unknown field',
      'spec.placement.tolerations[0].operator: must be one of Exists, Equal',
      'spec.placement.affinity.podAntiAffinity: must be an object',
      'spec.placement.affinity.hostAffinity: unknown field (nodeAffinity, podAffinity or podAntiAffinity)',
    ],
  );
  assert.deepEqual(checkSpec({}), [{ path: 'spec.host', message: 'required' }]);
});
