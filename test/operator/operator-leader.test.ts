// Leader election: an operator killed in the middle of a reconcile, then two replicas started:
// exactly one leads and acts, the result equals what the builders want, and when the leader dies
// the other takes over.
import {
  CoordinationV1Api,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { parseCoBrowseCluster } from '../../operator/src/api/parse.ts';
import { buildDesiredObjects } from '../../operator/src/build/desired.ts';
import {
  cobrowseClient,
  loadSample,
  startOperatorProcess,
  useControlPlane,
  type OperatorProcess,
} from './harness/index.ts';

const plane = useControlPlane();
const operators: OperatorProcess[] = [];
after(async () => {
  await Promise.all(operators.map((o) => o.stop('SIGKILL')));
});

/** The first path where `want` is not contained in `have` (JSON values), or undefined. */
function firstMismatch(want: unknown, have: unknown, path = ''): string | undefined {
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return `${path} (array)`;
    for (const [i, item] of want.entries()) {
      const miss = firstMismatch(item, have[i], `${path}[${i}]`);
      if (miss) return miss;
    }
    return undefined;
  }
  if (typeof want === 'object' && want !== null) {
    if (typeof have !== 'object' || have === null) return path;
    for (const [key, value] of Object.entries(want)) {
      const miss = firstMismatch(value, (have as Record<string, unknown>)[key], `${path}.${key}`);
      if (miss) return miss;
    }
    return undefined;
  }
  return want === have ? undefined : `${path}: want ${String(want)}, have ${String(have)}`;
}

test('killed mid-reconcile, then two replicas: one leader, the same result, failover', async () => {
  const { kubeconfigPath, kubeConfig } = plane();
  const namespace = await plane().createNamespace('leader');
  const k = cobrowseClient(kubeConfig, kubeconfigPath, namespace);
  await k.provideRedisVolume('tandem');
  await k.createAgentSecret();
  const start = (identity: string, env?: Record<string, string>) => {
    const operator = startOperatorProcess({
      kubeconfigPath,
      identity,
      namespace,
      ...(env ? { env } : {}),
    });
    operators.push(operator);
    return operator;
  };

  // 1. An operator that stops for good after its fifth apply (the ConfigMap), then is killed.
  const first = start('first', { TANDEM_OPERATOR_TEST_HALT_AFTER_APPLIES: '5' });
  await k.create(loadSample('cobrowsecluster.yaml'));
  await first.waitForLog('test hook: halting mid-reconcile');
  await k.core.readNamespacedConfigMap({ name: 'tandem-config', namespace });
  const deployments = await k.apps.listNamespacedDeployment({ namespace });
  assert.equal(deployments.items.length, 0, 'killed before the Deployment was applied');
  await first.stop('SIGKILL');

  // 2. Two replicas: once the dead holder's Lease expires, exactly one leads.
  const [a, b] = [
    start(`a-${randomBytes(2).toString('hex')}`),
    start(`b-${randomBytes(2).toString('hex')}`),
  ];
  await k.waitReady('tandem', 2);
  const leases = kubeConfig.makeApiClient(CoordinationV1Api);
  const lease = await leases.readNamespacedLease({ name: 'tandem-operator', namespace });
  const holder = lease.spec?.holderIdentity;
  const [leader, follower] = holder === a.identity ? [a, b] : [b, a];
  assert.equal(holder, leader.identity);
  assert.ok((lease.spec?.leaseTransitions ?? 0) >= 1, 'the Lease changed hands');
  const acted = (o: OperatorProcess) => o.logs().some((l) => l['msg'] === 'reconcile');
  const leads = (o: OperatorProcess) => o.logs().some((l) => l['msg'] === 'became the leader');
  assert.ok(leads(leader) && acted(leader), 'the leader reconciled');
  assert.ok(!leads(follower) && !acted(follower), 'the other replica did nothing');
  assert.ok(follower.logs().some((l) => l['msg'] === 'waiting for the lease'));

  // 3. The same result as an uninterrupted reconcile: every desired object, as built.
  const parsed = parseCoBrowseCluster(await k.read('tandem'));
  assert.ok(parsed.ok);
  const keys = await k.core.readNamespacedSecret({ name: 'tandem-keys', namespace });
  const tls = await k.core.readNamespacedSecret({ name: 'tandem-tls', namespace });
  const decode = (v: string | undefined) => Buffer.from(v ?? '', 'base64').toString('utf8');
  const desired = buildDesiredObjects(parsed.value, {
    keys: keys.data,
    selfSigned: {
      certPem: decode(tls.data?.['tls.crt']),
      keyPem: decode(tls.data?.['tls.key']),
      rotation: '',
    },
    random: () => assert.fail('no value is generated twice'),
  });
  assert.equal(desired.length, 12);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const want of desired) {
    const have: KubernetesObject = await objects.read({
      apiVersion: want.apiVersion ?? '',
      kind: want.kind ?? '',
      metadata: { name: want.metadata?.name ?? '', namespace },
    });
    const plain = (o: unknown): unknown => JSON.parse(JSON.stringify(o));
    const miss = firstMismatch(plain(want), plain(have));
    assert.equal(miss, undefined, `${want.kind}/${want.metadata?.name} differs at ${miss}`);
  }

  // 4. Failover: the leader dies; the other takes the Lease and acts on the next change.
  await leader.stop('SIGKILL');
  await follower.waitForLog('became the leader', {}, 30_000);
  k.kubectl('scale', 'cbc/tandem', '--replicas=3');
  await k.waitReady('tandem', 3);
});
