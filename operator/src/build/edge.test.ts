import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDesiredObjects } from './desired.ts';
import { clusterFixture, owner, serverLabels } from './fixtures.ts';
import { buildBackendCaConfigMap, buildBackendTlsPolicy, buildHttpRoute } from './gateway.ts';
import { buildPresetAnnotations, presetForClass } from './ingress-presets.ts';
import { buildIngress, buildService } from './network.ts';

const meta = (name: string) => ({
  name,
  namespace: 'shop',
  labels: serverLabels,
  ownerReferences: [owner],
});

describe('the edge', () => {
  test('HTTPRoute attached to the named Gateway, cookie persistence only when asked', () => {
    const gateway = { name: 'public', namespace: 'edge', sectionName: 'https' };
    assert.deepEqual(buildHttpRoute(clusterFixture({ gateway })), {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: meta('tandem'),
      spec: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: 'public',
            namespace: 'edge',
            sectionName: 'https',
          },
        ],
        hostnames: ['cobrowse.example.com'],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [{ group: '', kind: 'Service', name: 'tandem', port: 443 }],
          },
        ],
      },
    });
    const sticky = buildHttpRoute(
      clusterFixture({ gateway: { name: 'public', sessionPersistence: true } }),
    );
    assert.deepEqual(
      (sticky?.spec['rules'] as Record<string, unknown>[])[0]?.['sessionPersistence'],
      {
        sessionName: 'tandem-route',
        type: 'Cookie',
        cookieConfig: { lifetimeType: 'Session' },
      },
    );
    assert.equal(buildHttpRoute(clusterFixture()), undefined);
  });

  test('BackendTLSPolicy: the pods checked against their own certificate, or the system roots', () => {
    const cluster = clusterFixture({ gateway: { name: 'public' } });
    assert.deepEqual(buildBackendTlsPolicy(cluster), {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: meta('tandem'),
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'tandem', sectionName: 'https' }],
        validation: {
          hostname: 'cobrowse.example.com',
          caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'tandem-backend-ca' }],
        },
      },
    });
    assert.deepEqual(buildBackendCaConfigMap(cluster, 'PEM'), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('tandem-backend-ca'),
      data: { 'ca.crt': 'PEM' },
    });
    const public_ = clusterFixture({
      gateway: { name: 'public' },
      tls: { certManager: { issuerRef: { name: 'le' } } },
    });
    assert.deepEqual(buildBackendTlsPolicy(public_)?.spec['validation'], {
      hostname: 'cobrowse.example.com',
      wellKnownCACertificates: 'System',
    });
    assert.equal(buildBackendCaConfigMap(public_, 'PEM'), undefined);
  });

  test('Ingress presets: each controller its own affinity annotations, chosen by class or preset', () => {
    assert.deepEqual(['traefik', 'haproxy', 'nginx-inc', 'nginx', undefined].map(presetForClass), [
      'traefik',
      'haproxy',
      'nginx-inc',
      'ingress-nginx',
      'ingress-nginx',
    ]);
    const traefik = clusterFixture({ ingress: { className: 'traefik' } });
    assert.deepEqual(buildIngress(traefik)?.metadata?.annotations, {
      'traefik.ingress.kubernetes.io/router.tls': 'true',
    });
    assert.deepEqual(buildService(traefik).metadata?.annotations, {
      'traefik.ingress.kubernetes.io/service.serversscheme': 'https',
      'traefik.ingress.kubernetes.io/service.sticky.cookie': 'true',
      'traefik.ingress.kubernetes.io/service.sticky.cookie.name': 'tandem-route',
      'traefik.ingress.kubernetes.io/service.sticky.cookie.secure': 'true',
      'traefik.ingress.kubernetes.io/service.sticky.cookie.httponly': 'true',
      'traefik.ingress.kubernetes.io/service.sticky.cookie.samesite': 'none',
    });
    assert.deepEqual(
      buildPresetAnnotations(clusterFixture({ ingress: { preset: 'haproxy' } })).ingress,
      {
        'haproxy.org/server-ssl': 'true',
        'haproxy.org/timeout-tunnel': '3600s',
        'haproxy.org/cookie-persistence': 'tandem-route',
      },
    );
    assert.deepEqual(
      buildPresetAnnotations(
        clusterFixture({ ingress: { preset: 'nginx-inc', stickySessions: false } }),
      ).ingress,
      {
        'nginx.org/ssl-services': 'tandem',
        'nginx.org/websocket-services': 'tandem',
        'nginx.org/proxy-read-timeout': '3600s',
        'nginx.org/proxy-send-timeout': '3600s',
      },
    );
    // The spec's annotations win; no Service annotations without an Ingress.
    const own = clusterFixture({
      ingress: { preset: 'haproxy', annotations: { 'haproxy.org/timeout-tunnel': '1h' } },
    });
    assert.equal(buildIngress(own)?.metadata?.annotations?.['haproxy.org/timeout-tunnel'], '1h');
    const off = clusterFixture({ ingress: { className: 'traefik', enabled: false } });
    assert.equal(buildService(off).metadata?.annotations, undefined);
  });

  test('with a Gateway: HTTPRoute, BackendTLSPolicy and CA bundle join the desired objects', () => {
    const kinds = buildDesiredObjects(
      clusterFixture({ gateway: { name: 'public' }, ingress: { enabled: false } }),
      {
        keys: undefined,
        selfSigned: { certPem: 'C', keyPem: 'K', rotation: '' },
        random: (n) => Buffer.alloc(n),
        certPem: 'C',
      },
    ).map((o) => `${o.kind}/${o.metadata?.name}`);
    assert.deepEqual(kinds.slice(-3), [
      'ConfigMap/tandem-backend-ca',
      'BackendTLSPolicy/tandem',
      'HTTPRoute/tandem',
    ]);
    assert.ok(!kinds.includes('Ingress/tandem'));
  });
});
