/**
 * The server's config file, built from the spec. One pure mapping: a new server option the
 * resource exposes is one line here. Secrets never enter the ConfigMap: they reach the server as
 * mounted files (`passwordFile`) or as `TANDEM__SECTION__KEY` variables from secret references.
 */
import type { V1EnvVar } from '@kubernetes/client-node';
import { mounts, ports } from '../api/constants.ts';
import type { CoBrowseCluster, SecretKeyRef } from '../api/types.ts';
import { objectNames } from './common.ts';

/** Key of the generated Secret's entries. */
export const keysSecretKeys = {
  redisPassword: 'redis-password',
  signingKey: 'proxy-signing-key',
} as const;

/** The server config object (validated by the server's own schema in the tests). */
export function buildServerConfig(cluster: CoBrowseCluster): Record<string, unknown> {
  const { spec, metadata } = cluster;
  const redis = spec.redis.source;
  const fp = spec.forwardProxy;
  return {
    server: {
      port: ports.https,
      dataDir: mounts.dataDir,
      trustProxy: spec.ingress.enabled,
      demo: false,
      // Agents open the console at the cluster's host (the Service and Ingress serve 443).
      publicOrigin: `https://${spec.host}`,
    },
    // Pods serve TLS with the mounted secret; the server reloads it when kubelet swaps the files.
    tls: {
      enabled: true,
      certFile: `${mounts.tlsDir}/tls.crt`,
      keyFile: `${mounts.tlsDir}/tls.key`,
      hostnames: [spec.host],
    },
    log: { level: spec.logLevel },
    // The server binds loopback by default; a pod binds every address for the scrape.
    metrics: { enabled: true, host: '0.0.0.0', port: ports.metrics },
    'cross-origin': { allowedOrigins: spec.crossOrigin.allowedOrigins },
    'http-proxy': { allowedExternalDomains: spec.httpProxy.allowedExternalDomains },
    'http-security': { ...spec.httpSecurity },
    'forward-proxy': fp ? compact({ url: fp.url, username: fp.username, noProxy: fp.noProxy }) : {},
    'dom-restrictions': { ...spec.domRestrictions },
    agents: compact({
      jwksUrl: spec.agents.jwksUrl,
      issuer: spec.agents.issuer,
      audience: spec.agents.audience,
    }),
    cluster: {
      adapter: spec.redis.adapter,
      redis:
        redis.kind === 'managed'
          ? {
              url: `redis://${objectNames(cluster).redis}.${metadata.namespace}.svc:${ports.redis}`,
              passwordFile: `${mounts.redisDir}/password`,
            }
          : compact({
              // The URL itself comes from a secret, through TANDEM__CLUSTER__REDIS__URL.
              passwordFile: redis.passwordSecretRef ? `${mounts.redisDir}/password` : undefined,
            }),
    },
  };
}

/** Environment variables that carry secret options, each from a secret key reference. */
export function buildSecretEnv(cluster: CoBrowseCluster): V1EnvVar[] {
  const { spec } = cluster;
  const names = objectNames(cluster);
  const fromSecret = (name: string, ref: SecretKeyRef): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
  });
  const env: V1EnvVar[] = [
    // Every node must sign and check resource URLs with the same key.
    fromSecret('TANDEM__HTTP_PROXY__SIGNING_KEY', {
      name: names.keys,
      key: keysSecretKeys.signingKey,
    }),
  ];
  if (spec.agents.secretRef) env.push(fromSecret('TANDEM__AGENTS__SECRET', spec.agents.secretRef));
  if (spec.forwardProxy?.passwordSecretRef) {
    env.push(fromSecret('TANDEM__FORWARD_PROXY__PASSWORD', spec.forwardProxy.passwordSecretRef));
  }
  if (spec.redis.source.kind === 'external') {
    env.push(fromSecret('TANDEM__CLUSTER__REDIS__URL', spec.redis.source.urlSecretRef));
  }
  return env;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
