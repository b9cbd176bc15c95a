import { AppsV1Api, CoreV1Api, CustomObjectsApi, type V1Deployment } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { apiStatusOf, resolveTestbedPaths, useControlPlane, waitFor } from './harness/index.ts';

const plane = useControlPlane();

function buildDeployment(name: string, replicas: number): V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
      },
    },
  };
}

describe('control plane', () => {
  test('a Deployment rolls out on kwok nodes and is garbage-collected', async () => {
    const kc = plane().kubeConfig;
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = await plane().createNamespace('smoke');

    await apps.createNamespacedDeployment({ namespace, body: buildDeployment('web', 3) });

    const available = await waitFor('3 available replicas', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
      return d.status?.availableReplicas === 3 ? d : undefined;
    });
    assert.equal(available.status?.readyReplicas, 3);
    const pods = await core.listNamespacedPod({ namespace });
    assert.equal(pods.items.length, 3);
    for (const pod of pods.items) {
      assert.equal(pod.status?.phase, 'Running');
      assert.match(pod.spec?.nodeName ?? '', /^kwok-node-/);
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'True');
    }
    const replicaSets = await apps.listNamespacedReplicaSet({ namespace });
    assert.equal(replicaSets.items.length, 1);
    const owner = replicaSets.items[0]?.metadata?.ownerReferences?.[0];
    assert.equal(owner?.kind, 'Deployment');
    assert.equal(owner?.uid, available.metadata?.uid);

    await apps.deleteNamespacedDeployment({
      name: 'web',
      namespace,
      propagationPolicy: 'Background',
    });

    await waitFor('the ReplicaSet and pods to be garbage-collected', async () => {
      const [rs, left] = await Promise.all([
        apps.listNamespacedReplicaSet({ namespace }),
        core.listNamespacedPod({ namespace }),
      ]);
      return rs.items.length === 0 && left.items.length === 0;
    });
  });

  test('a StatefulSet rolls out and scales through its scale subresource', async () => {
    const apps = plane().kubeConfig.makeApiClient(AppsV1Api);
    const namespace = await plane().createNamespace('statefulset');
    const labels = { app: 'redis' };
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'redis' },
        spec: {
          replicas: 2,
          serviceName: 'redis',
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'redis', image: 'registry.invalid/redis:7' }] },
          },
        },
      },
    });
    const readyReplicas = (want: number) => async () => {
      const set = await apps.readNamespacedStatefulSet({ name: 'redis', namespace });
      return set.status?.readyReplicas === want && set.status.availableReplicas === want;
    };
    await waitFor('2 ready replicas', readyReplicas(2));

    const scale = await apps.readNamespacedStatefulSetScale({ name: 'redis', namespace });
    assert.equal(scale.spec?.replicas, 2);
    await apps.replaceNamespacedStatefulSetScale({
      name: 'redis',
      namespace,
      body: { ...scale, spec: { replicas: 3 } },
    });
    await waitFor('3 ready replicas', readyReplicas(3));
  });

  test('the API server refuses a cert-manager Certificate that breaks its schema', async () => {
    const custom = plane().kubeConfig.makeApiClient(CustomObjectsApi);
    const namespace = await plane().createNamespace('crd-smoke');
    const certificate = (spec: Record<string, unknown>): object => ({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'tandem-tls' },
      spec,
    });
    const create = (spec: Record<string, unknown>): Promise<unknown> =>
      custom.createNamespacedCustomObject({
        group: 'cert-manager.io',
        version: 'v1',
        namespace,
        plural: 'certificates',
        body: certificate(spec),
      });

    // secretName and issuerRef are required; duration must be a string.
    const refusal = await create({ duration: 42, dnsNames: ['tandem.example'] }).then(
      () => assert.fail('the API server accepted an invalid Certificate'),
      (error: unknown) => apiStatusOf(error) ?? assert.fail(error as Error),
    );
    assert.equal(refusal.code, 422);
    assert.equal(refusal.reason, 'Invalid');
    assert.match(refusal.message ?? '', /^Certificate\.cert-manager\.io "tandem-tls" is invalid: /);
    const causes = (refusal.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`).sort();
    assert.deepEqual(causes, [
      'spec.duration: Invalid value: "integer": spec.duration in body must be of type string: "integer"',
      'spec.issuerRef: Required value',
      'spec.secretName: Required value',
    ]);

    const valid = {
      secretName: 'tandem-tls',
      issuerRef: { name: 'selfsigned', kind: 'Issuer' },
      dnsNames: ['tandem.example'],
    };
    const created = (await create(valid)) as { metadata?: { uid?: string } };
    assert.ok(created.metadata?.uid, 'a valid Certificate is accepted');
  });
});

describe('testbed tools', () => {
  test('kubectl and helm reach the control plane with its kubeconfig', () => {
    const { bin } = resolveTestbedPaths();
    const env = { ...process.env, KUBECONFIG: plane().kubeconfigPath };
    const nodes = execFileSync(bin.kubectl, ['get', 'nodes', '-o', 'name'], {
      env,
      encoding: 'utf8',
    });
    assert.deepEqual(nodes.trim().split('\n'), [
      'node/kwok-node-0',
      'node/kwok-node-1',
      'node/kwok-node-2',
    ]);
    const releases = execFileSync(bin.helm, ['list', '--all-namespaces', '-o', 'json'], {
      env,
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(releases), []);
  });
});
