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
  /** `requirepass PASSWORD`: the managed Redis reads its password from this file. */
  redisConfig: 'redis.conf',
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
      // Behind an edge (an Ingress or a Gateway) the client's address is in X-Forwarded-For;
      // without trusting it, every client would share the edge's address (and its rate limits).
      trustProxy: spec.ingress.enabled || spec.gateway !== undefined,
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

/**
 * A secret option of the server that comes from a Secret the admin names in the spec: where the
 * spec names it, which variable carries it (or that it is the Redis password file), and the
 * server option it fills. One table for the pod's env, the operator's checks and its messages.
 */
export interface SecretInput {
  /** The spec field holding the reference, e.g. `spec.agents.secretRef`. */
  specPath: string;
  ref: SecretKeyRef;
  /** `TANDEM__...` variable, or `undefined` for the mounted Redis password file. */
  envName: string | undefined;
  /** The server option, e.g. `agents.secret`. */
  serverPath: string;
}

/** The admin's Secrets the server reads, in env order (the generated keys Secret is not one). */
export function secretInputs(cluster: CoBrowseCluster): SecretInput[] {
  const { spec } = cluster;
  const inputs: SecretInput[] = [];
  if (spec.agents.secretRef) {
    inputs.push({
      specPath: 'spec.agents.secretRef',
      ref: spec.agents.secretRef,
      envName: 'TANDEM__AGENTS__SECRET',
      serverPath: 'agents.secret',
    });
  }
  if (spec.forwardProxy?.passwordSecretRef) {
    inputs.push({
      specPath: 'spec.forwardProxy.passwordSecretRef',
      ref: spec.forwardProxy.passwordSecretRef,
      envName: 'TANDEM__FORWARD_PROXY__PASSWORD',
      serverPath: 'forward-proxy.password',
    });
  }
  const redis = spec.redis.source;
  if (redis.kind === 'external') {
    inputs.push({
      specPath: 'spec.redis.external.urlSecretRef',
      ref: redis.urlSecretRef,
      envName: 'TANDEM__CLUSTER__REDIS__URL',
      serverPath: 'cluster.redis.url',
    });
    if (redis.passwordSecretRef) {
      inputs.push({
        specPath: 'spec.redis.external.passwordSecretRef',
        ref: redis.passwordSecretRef,
        envName: undefined,
        serverPath: 'cluster.redis.passwordFile',
      });
    }
  }
  return inputs;
}

/** Environment variables that carry secret options, each from a secret key reference. */
export function buildSecretEnv(cluster: CoBrowseCluster): V1EnvVar[] {
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
  for (const input of secretInputs(cluster)) {
    if (input.envName) env.push(fromSecret(input.envName, input.ref));
  }
  return env;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
