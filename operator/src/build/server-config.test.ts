import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEnvOverrides, validateConfig } from '../../../server/src/config/index.ts';
import { clusterFixture } from './fixtures.ts';
import { buildSecretEnv, buildServerConfig } from './server-config.ts';

/** What the server sees: the config file plus the secret env vars (with stand-in values). */
function serverView(cluster: ReturnType<typeof clusterFixture>) {
  const env = Object.fromEntries(
    buildSecretEnv(cluster).map((e) => [
      e.name,
      e.name.endsWith('REDIS__URL') ? 'redis://redis.example:6379' : 'x'.repeat(40),
    ]),
  );
  const file = buildServerConfig(cluster);
  const overrides = readEnvOverrides(env);
  const merged: Record<string, unknown> = { ...file };
  for (const [section, values] of Object.entries(overrides)) {
    merged[section] = deepMerge(merged[section], values);
  }
  return merged;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return b;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v);
  return out;
}

test('the default cluster config validates against the server schema', () => {
  const cluster = clusterFixture();
  assert.deepEqual(buildServerConfig(cluster), {
    server: {
      port: 8443,
      dataDir: '/var/lib/tandem',
      trustProxy: true,
      demo: false,
      publicOrigin: 'https://cobrowse.example.com',
    },
    tls: {
      enabled: true,
      certFile: '/etc/tandem/tls/tls.crt',
      keyFile: '/etc/tandem/tls/tls.key',
      hostnames: ['cobrowse.example.com'],
    },
    log: { level: 'info' },
    metrics: { enabled: true, host: '0.0.0.0', port: 9464 },
    'cross-origin': { allowedOrigins: [] },
    'http-proxy': { allowedExternalDomains: [] },
    'http-security': {},
    'forward-proxy': {},
    'dom-restrictions': {},
    agents: {},
    cluster: {
      adapter: 'sharded',
      redis: {
        url: 'redis://tandem-redis.shop.svc:6379',
        passwordFile: '/etc/tandem/redis/password',
      },
    },
  });
  const result = validateConfig(serverView(cluster));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
});

test('every spec option maps to its server option and the whole validates', () => {
  const cluster = clusterFixture({
    logLevel: 'debug',
    redis: {
      adapter: 'sharded',
      external: {
        urlSecretRef: { name: 'redis', key: 'url' },
        passwordSecretRef: { name: 'redis', key: 'password' },
      },
    },
    crossOrigin: { allowedOrigins: ['https://shop.example.com'] },
    httpProxy: { allowedExternalDomains: ['cdn.example.com', '*.img.example.com'] },
    httpSecurity: { disableCaching: true },
    forwardProxy: {
      url: 'http://proxy.infra:3128',
      username: 'tandem',
      passwordSecretRef: { name: 'proxy', key: 'password' },
      noProxy: ['internal.example.com'],
    },
    domRestrictions: {
      mask: ['#card'],
      hide: ['.secret'],
      readOnly: ['button.pay'],
      maskMode: 'fixed',
      fixedMaskLength: 6,
    },
    agents: { secretRef: { name: 'agents', key: 'secret' }, issuer: 'idp', audience: 'agents' },
    ingress: { enabled: false },
  });
  const config = buildServerConfig(cluster);
  assert.deepEqual(config['cross-origin'], { allowedOrigins: ['https://shop.example.com'] });
  assert.deepEqual(config['http-proxy'], {
    allowedExternalDomains: ['cdn.example.com', '*.img.example.com'],
  });
  assert.deepEqual(config['http-security'], { disableCaching: true });
  assert.deepEqual(config['forward-proxy'], {
    url: 'http://proxy.infra:3128',
    username: 'tandem',
    noProxy: ['internal.example.com'],
  });
  assert.deepEqual(config['dom-restrictions'], {
    mask: ['#card'],
    hide: ['.secret'],
    readOnly: ['button.pay'],
    maskMode: 'fixed',
    fixedMaskLength: 6,
  });
  assert.deepEqual(config['agents'], { issuer: 'idp', audience: 'agents' });
  assert.deepEqual(config['cluster'], {
    adapter: 'sharded',
    redis: { passwordFile: '/etc/tandem/redis/password' },
  });
  assert.deepEqual((config['server'] as Record<string, unknown>)['trustProxy'], false);
  assert.deepEqual(
    buildSecretEnv(cluster).map((e) => [
      e.name,
      e.valueFrom?.secretKeyRef?.name,
      e.valueFrom?.secretKeyRef?.key,
    ]),
    [
      ['TANDEM__HTTP_PROXY__SIGNING_KEY', 'tandem-keys', 'proxy-signing-key'],
      ['TANDEM__AGENTS__SECRET', 'agents', 'secret'],
      ['TANDEM__FORWARD_PROXY__PASSWORD', 'proxy', 'password'],
      ['TANDEM__CLUSTER__REDIS__URL', 'redis', 'url'],
    ],
  );
  const result = validateConfig(serverView(cluster));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
});

test('a JWKS URL reaches agents.jwksUrl', () => {
  const config = buildServerConfig(
    clusterFixture({ agents: { jwksUrl: 'https://idp.example.com/jwks' } }),
  );
  assert.deepEqual(config['agents'], { jwksUrl: 'https://idp.example.com/jwks' });
});

test('the servers trust the edge’s forwarded address behind an Ingress or a Gateway, and only then', () => {
  const trusts = (spec: Record<string, unknown>): unknown =>
    (buildServerConfig(clusterFixture(spec))['server'] as Record<string, unknown>)['trustProxy'];
  assert.equal(trusts({}), true, 'the default Ingress');
  assert.equal(trusts({ ingress: { enabled: false }, gateway: { name: 'edge' } }), true);
  assert.equal(trusts({ ingress: { enabled: false } }), false, 'no edge: clients connect directly');
});
