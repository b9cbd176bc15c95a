import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ownedKindOf } from '../api/owned-kinds.ts';
import { buildCertificate } from './certificate.ts';
import { buildConfigMap, hashConfigMap } from './config-map.ts';
import { buildDeployment } from './deployment.ts';
import { buildDesiredObjects } from './desired.ts';
import { clusterFixture, owner, serverLabels, serverSelector } from './fixtures.ts';
import { buildIngress, buildServerNetworkPolicy, buildService } from './network.ts';
import { buildPodDisruptionBudget, buildServiceAccount } from './policy.ts';
import { buildRedisNetworkPolicy, buildRedisService, buildRedisStatefulSet } from './redis.ts';
import { buildKeysSecret, buildSelfSignedTlsSecret } from './secrets.ts';

const meta = (name: string, labels: Record<string, string> = serverLabels) => ({
  name,
  namespace: 'shop',
  labels,
  ownerReferences: [owner],
});
const redisSelector = { ...serverSelector, 'app.kubernetes.io/component': 'redis' };
const redisLabels = { ...serverLabels, 'app.kubernetes.io/component': 'redis' };
const zeros = (n: number) => Buffer.alloc(n, 1);

describe('builders', () => {
  test('ServiceAccount and PodDisruptionBudget', () => {
    const cluster = clusterFixture();
    assert.deepEqual(buildServiceAccount(cluster), {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('tandem'),
      automountServiceAccountToken: false,
    });
    assert.deepEqual(buildPodDisruptionBudget(cluster), {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('tandem'),
      spec: { maxUnavailable: 1, selector: { matchLabels: serverSelector } },
    });
  });

  test('Service', () => {
    assert.deepEqual(buildService(clusterFixture()), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('tandem'),
      spec: {
        type: 'ClusterIP',
        selector: serverSelector,
        ports: [
          { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
          { name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' },
        ],
      },
    });
  });

  test('Ingress: sticky cookie for ingress-nginx, spec annotations win, off when disabled', () => {
    const cluster = clusterFixture({
      ingress: {
        className: 'nginx',
        annotations: {
          'nginx.ingress.kubernetes.io/proxy-read-timeout': '60',
          'example.com/x': 'y',
        },
      },
    });
    assert.deepEqual(buildIngress(cluster), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        ...meta('tandem'),
        annotations: {
          'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
          'nginx.ingress.kubernetes.io/proxy-read-timeout': '60',
          'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
          'nginx.ingress.kubernetes.io/affinity': 'cookie',
          'nginx.ingress.kubernetes.io/affinity-mode': 'persistent',
          'nginx.ingress.kubernetes.io/session-cookie-name': 'tandem-route',
          'nginx.ingress.kubernetes.io/session-cookie-secure': 'true',
          'nginx.ingress.kubernetes.io/session-cookie-samesite': 'None',
          'nginx.ingress.kubernetes.io/session-cookie-path': '/',
          'example.com/x': 'y',
        },
      },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['cobrowse.example.com'], secretName: 'tandem-tls' }],
        rules: [
          {
            host: 'cobrowse.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'tandem', port: { name: 'https' } } },
                },
              ],
            },
          },
        ],
      },
    });
    const plain = buildIngress(clusterFixture({ ingress: { stickySessions: false } }));
    assert.equal(plain?.metadata?.annotations?.['nginx.ingress.kubernetes.io/affinity'], undefined);
    assert.equal(buildIngress(clusterFixture({ ingress: { enabled: false } })), undefined);
  });

  test('server NetworkPolicy: HTTPS from anywhere, metrics only from the scrapers', () => {
    const policy = (spec: Record<string, unknown> = {}) =>
      buildServerNetworkPolicy(clusterFixture(spec));
    assert.deepEqual(policy(), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('tandem'),
      spec: {
        podSelector: { matchLabels: serverSelector },
        policyTypes: ['Ingress'],
        ingress: [
          { ports: [{ port: 8443, protocol: 'TCP' }] },
          {
            _from: [
              {
                namespaceSelector: {},
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
              },
            ],
            ports: [{ port: 9464, protocol: 'TCP' }],
          },
        ],
      },
    });
    const monitoring = { namespaceSelector: { matchLabels: { team: 'monitoring' } } };
    assert.deepEqual(policy({ metrics: { allowFrom: [monitoring] } }).spec?.ingress?.[1]?._from, [
      monitoring,
    ]);
  });
  test('default resource requests, so that an HPA on CPU works', () => {
    const container = buildDeployment(clusterFixture(), 'h').spec?.template.spec?.containers[0];
    assert.deepEqual(container?.resources, { requests: { cpu: '100m', memory: '128Mi' } });
    const redis = buildRedisStatefulSet(clusterFixture())?.spec?.template.spec?.containers[0];
    assert.deepEqual(redis?.resources, { requests: { cpu: '50m', memory: '64Mi' } });
  });
  test('Certificate only in cert-manager mode, carrying the rotation request', () => {
    assert.equal(buildCertificate(clusterFixture()), undefined);
    const cluster = clusterFixture(
      {
        tls: {
          certManager: { issuerRef: { name: 'le', kind: 'ClusterIssuer' }, renewBefore: '720h' },
        },
      },
      { 'tandem.dev/rotate-certificate': 'r2' },
    );
    assert.deepEqual(buildCertificate(cluster), {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { ...meta('tandem'), annotations: { 'tandem.dev/rotate-certificate': 'r2' } },
      spec: {
        secretName: 'tandem-tls',
        dnsNames: ['cobrowse.example.com'],
        issuerRef: { name: 'le', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        renewBefore: '720h',
        privateKey: { rotationPolicy: 'Always', algorithm: 'ECDSA', size: 256 },
        usages: ['server auth', 'digital signature', 'key encipherment'],
      },
    });
  });

  test('managed Redis: StatefulSet, headless Service, NetworkPolicy; none when external', () => {
    const cluster = clusterFixture({
      redis: { managed: { storage: '5Gi', storageClassName: 'fast' } },
    });
    const set = buildRedisStatefulSet(cluster);
    assert.deepEqual(set?.metadata, meta('tandem-redis', redisLabels));
    assert.equal(set?.spec?.replicas, 1);
    assert.deepEqual(set?.spec?.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    });
    const retained = buildRedisStatefulSet(
      clusterFixture({ redis: { managed: { volumeReclaimPolicy: 'Retain' } } }),
    );
    assert.equal(retained?.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted, 'Retain');
    assert.deepEqual(set?.spec?.volumeClaimTemplates?.[0]?.spec, {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '5Gi' } },
      storageClassName: 'fast',
    });
    const container = set?.spec?.template.spec?.containers[0];
    // The password never reaches a command line: a config file for the server, env for the probe.
    assert.deepEqual(container?.args, [
      '/etc/redis/secret/redis.conf',
      '--appendonly',
      'yes',
      '--dir',
      '/data',
    ]);
    assert.deepEqual(container?.env, [
      {
        name: 'REDISCLI_AUTH',
        valueFrom: { secretKeyRef: { name: 'tandem-keys', key: 'redis-password' } },
      },
    ]);
    assert.doesNotMatch(JSON.stringify(container?.readinessProbe), /-a|PASSWORD/);
    assert.deepEqual(set?.spec?.template.spec?.volumes, [
      {
        name: 'config',
        secret: {
          secretName: 'tandem-keys',
          items: [{ key: 'redis.conf', path: 'redis.conf' }],
        },
      },
    ]);
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(set?.spec?.template.spec?.securityContext?.runAsNonRoot, true);
    assert.deepEqual(buildRedisService(cluster)?.spec, {
      clusterIP: 'None',
      selector: redisSelector,
      ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }],
    });
    assert.deepEqual(buildRedisNetworkPolicy(cluster), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('tandem-redis', redisLabels),
      spec: {
        podSelector: { matchLabels: redisSelector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            _from: [{ podSelector: { matchLabels: serverSelector } }],
            ports: [{ port: 6379, protocol: 'TCP' }],
          },
        ],
      },
    });
    const external = clusterFixture({
      redis: { external: { urlSecretRef: { name: 'r', key: 'url' } } },
    });
    assert.equal(buildRedisStatefulSet(external), undefined);
    assert.equal(buildRedisService(external), undefined);
    assert.equal(buildRedisNetworkPolicy(external), undefined);
  });

  test('keys Secret keeps existing values and generates missing ones', () => {
    const cluster = clusterFixture();
    const fresh = buildKeysSecret(cluster, undefined, zeros);
    const generated = Buffer.from(zeros(36).toString('base64url')).toString('base64');
    assert.deepEqual(fresh, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('tandem-keys'),
      type: 'Opaque',
      data: {
        'redis-password': generated,
        'proxy-signing-key': generated,
        'redis.conf': Buffer.from(`requirepass ${zeros(36).toString('base64url')}\n`).toString(
          'base64',
        ),
      },
    });
    const kept = buildKeysSecret(cluster, { 'redis-password': 'b2xk' }, zeros);
    assert.equal(kept.data?.['redis-password'], 'b2xk');
    assert.equal(kept.data?.['redis.conf'], Buffer.from('requirepass old\n').toString('base64'));
    assert.equal(kept.data?.['proxy-signing-key'], generated);
  });

  test('self-signed TLS Secret', () => {
    assert.deepEqual(
      buildSelfSignedTlsSecret(clusterFixture(), { certPem: 'C', keyPem: 'K', rotation: 'r1' }),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          ...meta('tandem-tls'),
          annotations: { 'tandem.dev/issued-for-rotation': 'r1' },
        },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': 'Qw==', 'tls.key': 'Sw==' },
      },
    );
  });

  test('ConfigMap hash changes with the config only', () => {
    const a = buildConfigMap(clusterFixture());
    assert.deepEqual(a.metadata, meta('tandem-config'));
    assert.match(hashConfigMap(a), /^[0-9a-f]{16}$/);
    assert.equal(hashConfigMap(a), hashConfigMap(buildConfigMap(clusterFixture({ replicas: 7 }))));
    const b = buildConfigMap(
      clusterFixture({ crossOrigin: { allowedOrigins: ['https://a.example'] } }),
    );
    assert.notEqual(hashConfigMap(a), hashConfigMap(b));
  });

  test('Deployment: hardened pods, probes, mounts, anti-affinity, config hash, placement', () => {
    const cluster = clusterFixture({
      replicas: 3,
      resources: { requests: { cpu: '250m', memory: 256 } },
      placement: { nodeSelector: { pool: 'web' }, priorityClassName: 'high' },
    });
    const deployment = buildDeployment(cluster, 'abc123');
    assert.deepEqual(deployment.metadata, meta('tandem'));
    assert.equal(deployment.spec?.replicas, 3);
    assert.deepEqual(deployment.spec?.selector, { matchLabels: serverSelector });
    assert.deepEqual(deployment.spec?.template.metadata, {
      labels: serverLabels,
      annotations: { 'tandem.dev/config-hash': 'abc123' },
    });
    const pod = deployment.spec?.template.spec;
    assert.equal(pod?.serviceAccountName, 'tandem');
    assert.equal(pod?.automountServiceAccountToken, false);
    assert.deepEqual(pod?.nodeSelector, { pool: 'web' });
    assert.equal(pod?.priorityClassName, 'high');
    assert.deepEqual(
      pod?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: serverSelector },
          },
        },
      ],
    );
    assert.deepEqual(pod?.volumes, [
      { name: 'config', configMap: { name: 'tandem-config' } },
      { name: 'tls', secret: { secretName: 'tandem-tls' } },
      { name: 'data', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      {
        name: 'redis-password',
        secret: { secretName: 'tandem-keys', items: [{ key: 'redis-password', path: 'password' }] },
      },
    ]);
    const container = pod?.containers[0];
    assert.deepEqual(container?.volumeMounts, [
      { name: 'config', mountPath: '/etc/tandem/config', readOnly: true },
      { name: 'tls', mountPath: '/etc/tandem/tls', readOnly: true },
      { name: 'data', mountPath: '/var/lib/tandem' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'redis-password', mountPath: '/etc/tandem/redis', readOnly: true },
    ]);
    assert.deepEqual(container?.securityContext, {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(container?.readinessProbe, {
      httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
    });
    assert.equal(container?.livenessProbe?.httpGet?.path, '/healthz');
    assert.deepEqual(container?.resources, { requests: { cpu: '250m', memory: '256' } });
    const custom = buildDeployment(
      clusterFixture({ placement: { affinity: { nodeAffinity: {} } } }),
      'h',
    );
    assert.deepEqual(custom.spec?.template.spec?.affinity, { nodeAffinity: {} });
  });

  test('every desired object is of a kind the owned-kinds table declares', () => {
    const objects = buildDesiredObjects(
      clusterFixture({ tls: { certManager: { issuerRef: { name: 'le' } } } }),
      { keys: undefined, selfSigned: undefined, random: zeros },
    ).concat(
      buildDesiredObjects(clusterFixture(), {
        keys: undefined,
        selfSigned: { certPem: 'C', keyPem: 'K', rotation: '' },
        random: zeros,
      }),
    );
    for (const object of objects) {
      assert.ok(ownedKindOf(object.apiVersion, object.kind), `${object.kind} is in ownedKinds`);
    }
  });
  test('desired objects: owned, in apply order, per mode', () => {
    const kinds = (spec: Record<string, unknown>) =>
      buildDesiredObjects(clusterFixture(spec), {
        keys: undefined,
        selfSigned: spec['tls'] ? undefined : { certPem: 'C', keyPem: 'K', rotation: '' },
        random: zeros,
      }).map((o) => `${o.kind}/${o.metadata?.name}`);
    assert.deepEqual(kinds({}), [
      'ServiceAccount/tandem',
      'Secret/tandem-keys',
      'Secret/tandem-tls',
      'ConfigMap/tandem-config',
      'NetworkPolicy/tandem-redis',
      'Service/tandem-redis',
      'StatefulSet/tandem-redis',
      'Service/tandem',
      'NetworkPolicy/tandem',
      'Deployment/tandem',
      'PodDisruptionBudget/tandem',
      'Ingress/tandem',
    ]);
    assert.deepEqual(
      kinds({
        tls: { certManager: { issuerRef: { name: 'le' } } },
        redis: { external: { urlSecretRef: { name: 'r', key: 'u' } } },
        ingress: { enabled: false },
      }),
      [
        'ServiceAccount/tandem',
        'Secret/tandem-keys',
        'Certificate/tandem',
        'ConfigMap/tandem-config',
        'Service/tandem',
        'NetworkPolicy/tandem',
        'Deployment/tandem',
        'PodDisruptionBudget/tandem',
      ],
    );
  });
});
