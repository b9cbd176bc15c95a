/** The server Deployment: hardened pods that read the config file and the mounted certificate. */
import type { V1Affinity, V1Container, V1Deployment, V1Volume } from '@kubernetes/client-node';
import { configHashAnnotation, mounts, ports } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectLabels, objectNames, ownedMeta, selectorLabels } from './common.ts';
import { buildSecretEnv, keysSecretKeys } from './server-config.ts';

/** The non-root user the server runs as (matches the image's `node` user convention). */
export const serverUid = 10001;

function buildVolumes(cluster: CoBrowseCluster): V1Volume[] {
  const names = objectNames(cluster);
  const redis = cluster.spec.redis.source;
  const volumes: V1Volume[] = [
    { name: 'config', configMap: { name: names.config } },
    // A whole-secret volume (no subPath) so that kubelet swaps rotated files in place.
    { name: 'tls', secret: { secretName: names.tls } },
    { name: 'data', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
  ];
  const password =
    redis.kind === 'managed'
      ? { name: names.keys, key: keysSecretKeys.redisPassword }
      : redis.passwordSecretRef;
  if (password) {
    volumes.push({
      name: 'redis-password',
      secret: { secretName: password.name, items: [{ key: password.key, path: 'password' }] },
    });
  }
  return volumes;
}

function buildContainer(cluster: CoBrowseCluster, volumes: readonly V1Volume[]): V1Container {
  const { spec } = cluster;
  const mountPaths: Record<string, string> = {
    config: mounts.configDir,
    tls: mounts.tlsDir,
    data: mounts.dataDir,
    tmp: mounts.tmpDir,
    'redis-password': mounts.redisDir,
  };
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  const container: V1Container = {
    name: 'server',
    image: spec.image,
    imagePullPolicy: spec.imagePullPolicy,
    args: ['--config', `${mounts.configDir}/${mounts.configFile}`],
    ports: [
      { name: 'https', containerPort: ports.https, protocol: 'TCP' },
      { name: 'metrics', containerPort: ports.metrics, protocol: 'TCP' },
    ],
    env: buildSecretEnv(cluster),
    volumeMounts: volumes.map((v) => ({
      name: v.name,
      mountPath: mountPaths[v.name] ?? `/etc/tandem/${v.name}`,
      // Omitted rather than `false`: the API server drops false, and SSA would see a change.
      ...(v.name === 'data' || v.name === 'tmp' ? {} : { readOnly: true }),
    })),
    startupProbe: { ...probe('/healthz', 2), failureThreshold: 30 },
    livenessProbe: probe('/healthz', 10),
    readinessProbe: probe('/readyz', 5),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: serverUid,
      runAsGroup: serverUid,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  if (spec.resources) container.resources = spec.resources;
  return container;
}

/** Spread the pods over nodes when possible, so that one node's loss keeps the service up. */
function defaultAffinity(cluster: CoBrowseCluster): V1Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: selectorLabels(cluster, 'server') },
          },
        },
      ],
    },
  };
}

/**
 * The Deployment. `configHash` goes into the pod template, so that a config change rolls the
 * pods while a certificate rotation (same template) does not.
 */
export function buildDeployment(cluster: CoBrowseCluster, configHash: string): V1Deployment {
  const { spec } = cluster;
  const names = objectNames(cluster);
  const volumes = buildVolumes(cluster);
  const placement = spec.placement;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMeta(cluster, names.server, 'server'),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: selectorLabels(cluster, 'server') },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: objectLabels(cluster, 'server'),
          annotations: { [configHashAnnotation]: configHash },
        },
        spec: {
          serviceAccountName: names.server,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            fsGroup: serverUid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [buildContainer(cluster, volumes)],
          volumes,
          affinity: (placement.affinity as V1Affinity | undefined) ?? defaultAffinity(cluster),
          ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
          ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
          ...(placement.priorityClassName
            ? { priorityClassName: placement.priorityClassName }
            : {}),
          // Matches server.shutdownGraceSeconds (10 s) plus the drain margin.
          terminationGracePeriodSeconds: 15,
        },
      },
    },
  };
}
