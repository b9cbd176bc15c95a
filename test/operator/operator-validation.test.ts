// Invalid CoBrowseCluster manifests are refused by the API server itself (CRD schema and CEL
// rules), with a message that names the field; no operator runs in this file.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  apiStatusOf,
  cobrowseClient,
  loadSample,
  useControlPlane,
  waitFor,
} from './harness/index.ts';

const plane = useControlPlane();

describe('CoBrowseCluster validation', () => {
  const cases: { name: string; spec: Record<string, unknown>; field: string; message: RegExp }[] = [
    {
      name: 'two TLS sources',
      spec: { tls: { selfSigned: {}, existingSecret: { name: 'mine' } } },
      field: 'spec.tls',
      message: /give exactly one of certManager, existingSecret and selfSigned/,
    },
    {
      name: 'negative replicas',
      spec: { replicas: -1 },
      field: 'spec.replicas',
      message: /should be greater than or equal to 0/,
    },
    {
      name: 'a malformed host',
      spec: { host: 'not a host!' },
      field: 'spec.host',
      message: /should match/,
    },
    {
      name: 'managed and external Redis',
      spec: { redis: { managed: {}, external: { urlSecretRef: { name: 'r', key: 'url' } } } },
      field: 'spec.redis',
      message: /give exactly one of managed and external/,
    },
    {
      name: 'two agent token sources',
      spec: {
        agents: { jwksUrl: 'https://idp.example.com/jwks', secretRef: { name: 's', key: 'k' } },
      },
      field: 'spec.agents',
      message: /give at most one of jwksUrl and secretRef/,
    },
  ];

  for (const c of cases) {
    test(`refuses ${c.name}, naming ${c.field}`, async () => {
      const namespace = await plane().createNamespace('invalid');
      const k = cobrowseClient(plane().kubeConfig, plane().kubeconfigPath, namespace);
      const sample = loadSample('cobrowsecluster.yaml');
      const spec = { ...(sample['spec'] as Record<string, unknown>), ...c.spec };
      const status = await k.create({ ...sample, spec }).then(
        () => assert.fail('the API server accepted an invalid CoBrowseCluster'),
        (error: unknown) => apiStatusOf(error) ?? assert.fail(error as Error),
      );
      assert.equal(status.code, 422);
      assert.equal(status.reason, 'Invalid');
      const causes = status.details?.causes ?? [];
      const cause = causes.find((x) => x.field === c.field);
      assert.ok(cause, `a cause names ${c.field}: ${JSON.stringify(causes)}`);
      assert.match(cause.message ?? '', c.message);
      assert.match(status.message ?? '', new RegExp(c.field.replace('.', '\\.')));
    });
  }

  test('kubectl explain reads like documentation for every field the issue found bare', async () => {
    const namespace = await plane().createNamespace('explain');
    const k = cobrowseClient(plane().kubeConfig, plane().kubeconfigPath, namespace);
    for (const field of [
      'spec.crossOrigin',
      'spec.httpProxy',
      'spec.httpSecurity',
      'spec.ingress',
      'spec.placement',
      'spec.resources',
      'spec.logLevel',
      'spec.imagePullPolicy',
      'spec.redis.managed.volumeReclaimPolicy',
      'status.conditions',
      'status.conditions.reason',
    ]) {
      const out = await waitFor(`kubectl explain cbc.${field}`, () => {
        try {
          return k.kubectl('explain', `cbc.${field}`);
        } catch {
          return undefined; // the OpenAPI document is published a moment after the CRD
        }
      });
      assert.doesNotMatch(out, /<no description>|<empty>/, `cbc.${field}:\n${out}`);
      assert.match(out, /DESCRIPTION:\n\s+\S/, `cbc.${field} has a description`);
    }
  });
});
