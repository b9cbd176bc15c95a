// The operator against a real control plane: a sample CoBrowseCluster becomes every owned object,
// kwok brings the pods Ready, status follows scale, config changes roll the pods, certificate
// rotations do not, what the spec stops asking for is deleted, and deleting the resource
// garbage-collects everything it owned.
import type {
  V1Deployment,
  V1Ingress,
  V1NetworkPolicy,
  V1ObjectMeta,
} from '@kubernetes/client-node';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, describe, test } from 'node:test';
import {
  cobrowseClient,
  loadSample,
  startOperatorProcess,
  useControlPlane,
  waitFor,
  type OperatorProcess,
} from './harness/index.ts';
import { scrape, sumSamples } from '../support/metrics.ts';

const plane = useControlPlane();
const operators: OperatorProcess[] = [];
after(async () => {
  await Promise.all(operators.map((o) => o.stop()));
});

async function setUp(prefix: string) {
  const namespace = await plane().createNamespace(prefix);
  const operator = startOperatorProcess({
    kubeconfigPath: plane().kubeconfigPath,
    identity: `${prefix}-operator`,
    namespace,
  });
  operators.push(operator);
  const k = cobrowseClient(plane().kubeConfig, plane().kubeconfigPath, namespace);
  await k.provideRedisVolume('tandem');
  await k.createAgentSecret();
  return { namespace, operator, k };
}

function assertOwnedBy(meta: V1ObjectMeta | undefined, uid: string, what: string): void {
  const owner = meta?.ownerReferences?.find((r) => r.controller);
  assert.equal(owner?.kind, 'CoBrowseCluster', `${what} is owned by the CoBrowseCluster`);
  assert.equal(owner?.uid, uid, `${what}'s owner uid`);
  assert.equal(
    meta?.labels?.['app.kubernetes.io/managed-by'],
    'tandem-operator',
    `${what}'s label`,
  );
  const managers = (meta?.managedFields ?? [])
    .filter((f) => f.operation === 'Apply')
    .map((f) => f.manager);
  assert.deepEqual(managers, ['tandem-operator'], `${what} is applied by one field manager`);
}

async function metric(operator: OperatorProcess, name: string): Promise<number> {
  return sumSamples(await scrape(`http://127.0.0.1:${await operator.metricsPort()}`), name);
}

const decode = (b64: string | undefined): string =>
  Buffer.from(b64 ?? '', 'base64').toString('utf8');

describe('CoBrowseCluster operator', () => {
  test('a sample becomes every owned object, pods Ready, status Ready', async () => {
    const { namespace, operator, k } = await setUp('sample');
    const sample = loadSample('cobrowsecluster.yaml');
    await k.create(sample);
    const cluster = await k.waitReady('tandem', 2);
    const uid = cluster.metadata.uid;

    // Status: counts, selector, conditions, endpoint, snippet, certificate expiry.
    const status = cluster.status!;
    assert.equal(
      status.selector,
      'app.kubernetes.io/component=server,app.kubernetes.io/instance=tandem,app.kubernetes.io/name=tandem',
    );
    assert.equal(status.endpoint, 'https://cobrowse.example.com/');
    assert.equal(
      status.snippet,
      '<script src="https://cobrowse.example.com/tandem.js" defer></script>',
    );
    const byType = Object.fromEntries(
      (status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]),
    );
    assert.deepEqual(byType, {
      Ready: 'True/AllReplicasReady',
      Progressing: 'False/RolloutComplete',
      Degraded: 'False/AsExpected',
    });
    const days = (Date.parse(status.certificate?.notAfter ?? '') - Date.now()) / 86_400_000;
    assert.ok(days > 89 && days <= 90, `the self-signed certificate lasts 90 days (${days})`);
    assert.equal(status.certificate?.secretName, 'tandem-tls');

    // Deployment: replicas, hardening, probes, anti-affinity, config hash, mounted TLS secret.
    const deployment = await k.apps.readNamespacedDeployment({ name: 'tandem', namespace });
    assertOwnedBy(deployment.metadata, uid, 'Deployment');
    assert.equal(deployment.spec?.replicas, 2);
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    assert.equal(container?.image, 'ghcr.io/tandem-dev/tandem:0.1.0');
    assert.deepEqual(container?.args, ['--config', '/etc/tandem/config/config.json']);
    assert.equal(container?.securityContext?.runAsNonRoot, true);
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(container?.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container?.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container?.readinessProbe?.httpGet?.scheme, 'HTTPS');
    assert.equal(
      pod?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]
        ?.podAffinityTerm.topologyKey,
      'kubernetes.io/hostname',
    );
    assert.match(
      deployment.spec?.template.metadata?.annotations?.['tandem.dev/config-hash'] ?? '',
      /^[0-9a-f]{16}$/,
    );
    assert.equal(pod?.volumes?.find((v) => v.name === 'tls')?.secret?.secretName, 'tandem-tls');
    assert.equal(pod?.serviceAccountName, 'tandem');
    assert.deepEqual(await k.readyPods('tandem'), (await k.readyPods('tandem')).slice(0, 2));
    assert.equal((await k.readyPods('tandem')).length, 2);

    // ConfigMap: the server's config from the spec.
    const configMap = await k.core.readNamespacedConfigMap({ name: 'tandem-config', namespace });
    assertOwnedBy(configMap.metadata, uid, 'ConfigMap');
    const config = JSON.parse(configMap.data?.['config.json'] ?? '{}') as Record<
      string,
      Record<string, unknown>
    >;
    assert.deepEqual(config['cross-origin'], { allowedOrigins: ['https://shop.example.com'] });
    assert.deepEqual(config['http-proxy'], {
      allowedExternalDomains: ['cdn.example.com', '*.images.example.com'],
    });
    assert.deepEqual(config['dom-restrictions'], { mask: ['#card-number', '.account-balance'] });
    assert.equal(
      (config['cluster']?.['redis'] as Record<string, unknown>)['url'],
      `redis://tandem-redis.${namespace}.svc:6379`,
    );

    // Service, Ingress (sticky cookie for ingress-nginx), PDB, ServiceAccount.
    const service = await k.core.readNamespacedService({ name: 'tandem', namespace });
    assertOwnedBy(service.metadata, uid, 'Service');
    assert.deepEqual(service.spec?.selector, deployment.spec?.selector.matchLabels);
    const objects = KubernetesObjectApi.makeApiClient(plane().kubeConfig);
    const readOwned = (apiVersion: string, kind: string, name: string) =>
      objects.read({ apiVersion, kind, metadata: { name, namespace } });
    const ingress = (await readOwned('networking.k8s.io/v1', 'Ingress', 'tandem')) as V1Ingress;
    assertOwnedBy(ingress.metadata, uid, 'Ingress');
    assert.equal(ingress.spec?.ingressClassName, 'nginx');
    assert.equal(ingress.spec?.rules?.[0]?.host, 'cobrowse.example.com');
    assert.deepEqual(JSON.parse(JSON.stringify(ingress.spec?.tls)), [
      { hosts: ['cobrowse.example.com'], secretName: 'tandem-tls' },
    ]);
    assert.equal(ingress.metadata?.annotations?.['nginx.ingress.kubernetes.io/affinity'], 'cookie');
    assert.equal(
      ingress.metadata?.annotations?.['nginx.ingress.kubernetes.io/session-cookie-name'],
      'tandem-route',
    );
    assert.equal(
      ingress.metadata?.annotations?.['nginx.ingress.kubernetes.io/backend-protocol'],
      'HTTPS',
    );
    for (const [apiVersion, kind, name] of [
      ['policy/v1', 'PodDisruptionBudget', 'tandem'],
      ['v1', 'ServiceAccount', 'tandem'],
      ['v1', 'Secret', 'tandem-keys'],
      ['v1', 'Service', 'tandem-redis'],
      ['apps/v1', 'StatefulSet', 'tandem-redis'],
      ['networking.k8s.io/v1', 'NetworkPolicy', 'tandem-redis'],
    ] as const) {
      assertOwnedBy((await readOwned(apiVersion, kind, name)).metadata, uid, kind);
    }

    // TLS Secret: a certificate for the host, issued by the operator.
    const tls = await k.core.readNamespacedSecret({ name: 'tandem-tls', namespace });
    assertOwnedBy(tls.metadata, uid, 'TLS Secret');
    assert.equal(tls.type, 'kubernetes.io/tls');
    const cert = new X509Certificate(decode(tls.data?.['tls.crt']));
    assert.equal(cert.subjectAltName, 'DNS:cobrowse.example.com');

    // Managed Redis: storage, password from the generated Secret; only Tandem pods may reach it.
    const redis = await k.apps.readNamespacedStatefulSet({ name: 'tandem-redis', namespace });
    assert.equal(redis.status?.readyReplicas, 1);
    assert.equal(
      redis.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.['storage'],
      '1Gi',
    );
    const keys = await k.core.readNamespacedSecret({ name: 'tandem-keys', namespace });
    assert.ok(decode(keys.data?.['redis-password']).length >= 40, 'a generated Redis password');
    const policy = await readOwned('networking.k8s.io/v1', 'NetworkPolicy', 'tandem-redis');
    const spec = (policy as V1NetworkPolicy).spec;
    assert.deepEqual(spec?.podSelector?.matchLabels, redis.spec?.selector.matchLabels);
    assert.deepEqual(
      spec?.ingress?.[0]?._from?.[0]?.podSelector?.matchLabels,
      deployment.spec?.selector.matchLabels,
    );

    // Events an admin sees.
    const events = await k.core.listNamespacedEvent({
      namespace,
      fieldSelector: 'involvedObject.name=tandem',
    });
    const reasons = new Set(
      events.items.filter((e) => e.involvedObject.kind === 'CoBrowseCluster').map((e) => e.reason),
    );
    assert.ok(
      reasons.has('CertificateIssued') && reasons.has('Ready'),
      `events: ${[...reasons].join(', ')}`,
    );

    // Printer columns: READY is the Ready condition, with its reason beside it.
    const row = k.kubectl('get', 'cbc', 'tandem', '--no-headers').trim().split(/\s+/);
    assert.deepEqual(row.slice(0, 6), [
      'tandem',
      'True',
      'AllReplicasReady',
      '2',
      '2',
      'cobrowse.example.com',
    ]);

    // Status is written only when it changed: a reconcile that changes nothing writes nothing.
    const writes = await metric(operator, 'tandem_operator_status_writes_total');
    const reconciles = await metric(operator, 'tandem_operator_reconciles_total');
    k.kubectl('annotate', 'cbc/tandem', 'example.com/note=touched');
    await waitFor(
      'another reconcile',
      async () => (await metric(operator, 'tandem_operator_reconciles_total')) > reconciles,
    );
    await k.readyPods('tandem');
    assert.equal(await metric(operator, 'tandem_operator_status_writes_total'), writes);
  });

  test('kubectl scale to 5 and back to 2: the Deployment and status follow', async () => {
    const { namespace, k } = await setUp('scale');
    await k.create(loadSample('cobrowsecluster.yaml'));
    await k.waitReady('tandem', 2);

    k.kubectl('scale', 'cbc/tandem', '--replicas=5');
    const scaled = await k.waitReady('tandem', 5);
    assert.equal(scaled.spec['replicas'], 5);
    const deployment: V1Deployment = await k.apps.readNamespacedDeployment({
      name: 'tandem',
      namespace,
    });
    assert.equal(deployment.spec?.replicas, 5);
    assert.equal((await k.readyPods('tandem')).length, 5);
    // The scale subresource reports what an HPA reads: replicas and the pods' selector.
    const scale = JSON.parse(
      k.kubectl('get', 'cbc/tandem', '--subresource=scale', '-o', 'json'),
    ) as {
      spec: { replicas: number };
      status: { replicas: number; selector: string };
    };
    assert.deepEqual([scale.spec.replicas, scale.status.replicas], [5, 5]);
    assert.match(scale.status.selector, /app\.kubernetes\.io\/instance=tandem/);

    // A normal scale-up is no trouble: Ready stayed True, and no Warning was recorded.
    const warnings = await k.core.listNamespacedEvent({ namespace, fieldSelector: 'type=Warning' });
    assert.deepEqual(
      warnings.items
        .filter((e) => e.involvedObject.kind === 'CoBrowseCluster')
        .map((e) => `${e.reason}: ${e.message}`),
      [],
      'no Warning event for a scale-up',
    );

    k.kubectl('scale', 'cbc/tandem', '--replicas=2');
    await k.waitReady('tandem', 2);
    await waitFor('2 pods left', async () => (await k.readyPods('tandem')).length === 2);
    assert.equal(
      (await k.apps.readNamespacedDeployment({ name: 'tandem', namespace })).spec?.replicas,
      2,
    );
  });

  test('changing allowedOrigins rolls the pods; rotating the certificate does not', async () => {
    const { namespace, k } = await setUp('roll');
    await k.create(loadSample('cobrowsecluster.yaml'));
    await k.waitReady('tandem', 2);
    const podsBefore = await k.readyPods('tandem');
    const hashOf = async () =>
      (await k.apps.readNamespacedDeployment({ name: 'tandem', namespace })).spec?.template.metadata
        ?.annotations?.['tandem.dev/config-hash'];
    const hashBefore = await hashOf();

    k.kubectl(
      'patch',
      'cbc/tandem',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: {
          crossOrigin: { allowedOrigins: ['https://shop.example.com', 'https://help.example.com'] },
        },
      }),
    );
    await waitFor('the ConfigMap to list the new origin', async () => {
      const cm = await k.core.readNamespacedConfigMap({ name: 'tandem-config', namespace });
      return (cm.data?.['config.json'] ?? '').includes('https://help.example.com');
    });
    await waitFor(
      'the pods to be replaced',
      async () => {
        const pods = await k.readyPods('tandem');
        return pods.length === 2 && pods.every((p) => !podsBefore.includes(p));
      },
      { timeoutMs: 60_000 },
    );
    const cluster = await k.waitReady('tandem', 2);
    assert.notEqual(await hashOf(), hashBefore, 'the config hash changed');

    // Rotation: a new certificate in the same Secret, same pods, same pod template.
    const podsAfterRoll = await k.readyPods('tandem');
    const hashAfterRoll = await hashOf();
    const serialOf = async () => {
      const secret = await k.core.readNamespacedSecret({ name: 'tandem-tls', namespace });
      return new X509Certificate(decode(secret.data?.['tls.crt'])).serialNumber;
    };
    const serialBefore = await serialOf();
    k.kubectl('annotate', 'cbc/tandem', 'tandem.dev/rotate-certificate=2024-rotation-1');
    await waitFor(
      'status to record the rotation',
      async () => (await k.read('tandem')).status?.certificate?.rotation === '2024-rotation-1',
    );
    assert.notEqual(await serialOf(), serialBefore, 'a new certificate was issued');
    assert.equal(await hashOf(), hashAfterRoll, 'the pod template did not change');
    const replicaSets = await k.apps.listNamespacedReplicaSet({
      namespace,
      labelSelector: 'app.kubernetes.io/component=server',
    });
    assert.equal(replicaSets.items.filter((rs) => (rs.spec?.replicas ?? 0) > 0).length, 1);
    assert.deepEqual(await k.readyPods('tandem'), podsAfterRoll, 'the pods did not roll');
    assert.equal(cluster.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  test('cert-manager mode: the rotation annotation sets Issuing on the Certificate, pods stay', async () => {
    const { namespace, k } = await setUp('cert-manager');
    const sample = loadSample('cobrowsecluster.yaml');
    const spec = {
      ...(sample['spec'] as Record<string, unknown>),
      tls: { certManager: { issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } } },
    };
    await k.create({ ...sample, spec });
    const objects = KubernetesObjectApi.makeApiClient(plane().kubeConfig);
    const readCertificate = async () =>
      (await objects.read({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'tandem', namespace },
      })) as unknown as {
        metadata: V1ObjectMeta;
        spec: { secretName: string; dnsNames: string[]; issuerRef: Record<string, string> };
        status?: { conditions?: { type: string; status: string; reason: string }[] };
      };
    const certificate = await waitFor('the Certificate', readCertificate);
    assert.equal(certificate.spec.secretName, 'tandem-tls');
    assert.deepEqual(certificate.spec.dnsNames, ['cobrowse.example.com']);
    assert.deepEqual(certificate.spec.issuerRef, {
      name: 'letsencrypt',
      kind: 'ClusterIssuer',
      group: 'cert-manager.io',
    });
    // Not Ready until the certificate exists: cert-manager does not run here, the test plays it.
    const waiting = await waitFor('NotReady for the certificate', async () => {
      const c = await k.read('tandem');
      return c.status?.conditions?.find(
        (x) => x.type === 'Ready' && x.reason === 'CertificateNotReady',
      );
    });
    assert.equal(waiting.status, 'False');
    const pem = (await import('selfsigned')).generate;
    const issued = await pem([{ name: 'commonName', value: 'cobrowse.example.com' }], {
      keyType: 'ec',
      algorithm: 'sha256',
    });
    await k.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'tandem-tls' },
        type: 'kubernetes.io/tls',
        data: {
          'tls.crt': Buffer.from(issued.cert).toString('base64'),
          'tls.key': Buffer.from(issued.private).toString('base64'),
        },
      },
    });
    k.kubectl('annotate', 'cbc/tandem', 'example.com/poke=1'); // the operator does not watch Secrets
    await k.waitReady('tandem', 2);
    const pods = await k.readyPods('tandem');

    k.kubectl('annotate', 'cbc/tandem', 'tandem.dev/rotate-certificate=r1');
    const issuing = await waitFor('Issuing=True on the Certificate', async () =>
      (await readCertificate()).status?.conditions?.find(
        (c) => c.type === 'Issuing' && c.status === 'True',
      ),
    );
    assert.equal(issuing.reason, 'ManuallyTriggered');
    await waitFor(
      'status to record the rotation',
      async () => (await k.read('tandem')).status?.certificate?.rotation === 'r1',
    );
    assert.equal(
      (await readCertificate()).metadata.annotations?.['tandem.dev/rotate-certificate'],
      'r1',
    );
    assert.deepEqual(await k.readyPods('tandem'), pods, 'the pods did not roll');
  });

  test('what the spec no longer asks for is deleted; the Redis volume follows its policy', async () => {
    const { namespace, k } = await setUp('prune');
    const sample = loadSample('cobrowsecluster.yaml');
    const spec = sample['spec'] as Record<string, unknown>;
    await k.create({
      ...sample,
      spec: { ...spec, redis: { managed: { volumeReclaimPolicy: 'Retain' } } },
    });
    await k.waitReady('tandem', 2);
    const claim = 'data-tandem-redis-0';
    await k.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace });
    await k.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'redis' }, stringData: { url: 'redis://redis.example:6379' } },
    });
    k.kubectl(
      'patch',
      'cbc/tandem',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: {
          redis: { managed: null, external: { urlSecretRef: { name: 'redis', key: 'url' } } },
          ingress: { enabled: false },
          gateway: { name: 'public', namespace: 'edge' },
        },
      }),
    );
    const gone = [
      'statefulset/tandem-redis',
      'service/tandem-redis',
      'networkpolicy/tandem-redis',
      'ingress/tandem',
    ];
    await waitFor('the managed Redis and the Ingress to be deleted', () => {
      const left = k.kubectl('get', ...gone, '--ignore-not-found', '-o', 'name');
      return left.trim() === '';
    });
    // Everything else stays, and the pods now use the external Redis.
    const config = await k.core.readNamespacedConfigMap({ name: 'tandem-config', namespace });
    assert.doesNotMatch(config.data?.['config.json'] ?? '', /tandem-redis/);
    await k.waitReady('tandem', 2);
    assert.ok(await k.apps.readNamespacedDeployment({ name: 'tandem', namespace }));
    const kept = await k.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace });
    assert.equal(kept.metadata?.deletionTimestamp, undefined, 'Retain kept the Redis claim');
    const events = await k.core.listNamespacedEvent({
      namespace,
      fieldSelector: 'involvedObject.name=tandem,reason=Pruned',
    });
    assert.match(events.items[0]?.message ?? '', /apps\/v1\/StatefulSet\/tandem-redis/);

    // Gateway API instead of the Ingress: an HTTPRoute on the named Gateway, and backend TLS.
    const objects = KubernetesObjectApi.makeApiClient(plane().kubeConfig);
    const route = (await objects.read({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'tandem', namespace },
    })) as unknown as { spec: Record<string, unknown> };
    assert.deepEqual(route.spec['hostnames'], ['cobrowse.example.com']);
    assert.deepEqual(
      (route.spec['parentRefs'] as Record<string, unknown>[]).map(
        (r) => `${r['namespace']}/${r['name']}`,
      ),
      ['edge/public'],
    );
    const policy = (await objects.read({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { name: 'tandem', namespace },
    })) as unknown as { spec: { validation: { hostname: string } } };
    assert.equal(policy.spec.validation.hostname, 'cobrowse.example.com');
    const ca = await k.core.readNamespacedConfigMap({ name: 'tandem-backend-ca', namespace });
    assert.match(ca.data?.['ca.crt'] ?? '', /BEGIN CERTIFICATE/);
    k.kubectl('patch', 'cbc/tandem', '--type=merge', '-p', '{"spec":{"gateway":null}}');
    await waitFor('the HTTPRoute, BackendTLSPolicy and CA bundle to be deleted', () => {
      const left = k.kubectl(
        'get',
        'httproutes.gateway.networking.k8s.io,backendtlspolicies.gateway.networking.k8s.io,configmaps',
        '-l',
        'app.kubernetes.io/instance=tandem',
        '-o',
        'name',
      );
      return left.trim() === 'configmap/tandem-config';
    });
  });

  test('deleting the resource garbage-collects everything it owned', async () => {
    const { namespace, k } = await setUp('gc');
    await k.create(loadSample('cobrowsecluster.yaml'));
    await k.waitReady('tandem', 2);
    await k.custom.deleteNamespacedCustomObject({
      group: 'tandem.dev',
      version: 'v1alpha1',
      plural: 'cobrowseclusters',
      namespace,
      name: 'tandem',
    });
    let lastLeft = '';
    await waitFor(
      'every owned object to be gone',
      async () => {
        const left = k
          .kubectl(
            'get',
            'deployments,statefulsets,services,configmaps,secrets,ingresses,networkpolicies,poddisruptionbudgets,serviceaccounts,pods,persistentvolumeclaims',
            '-l',
            'app.kubernetes.io/instance=tandem',
            '-o',
            'name',
          )
          .trim();
        const tls = k.kubectl('get', 'secrets', '-o', 'name').trim();
        lastLeft = `${left} ${tls}`;
        // The admin's own agent Secret stays; everything the operator made goes.
        const made = tls
          .split('\n')
          .filter((s) => s.startsWith('secret/tandem-') && s !== 'secret/tandem-agents');
        return left === '' && made.length === 0 && tls.includes('secret/tandem-agents')
          ? true
          : undefined;
      },
      { timeoutMs: 60_000 },
    ).catch((error: unknown) => assert.fail(`${String(error)}; left: ${lastLeft}`));
  });
});
