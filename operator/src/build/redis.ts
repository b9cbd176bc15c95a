/** The managed Redis: a one-replica StatefulSet with storage, its Service and NetworkPolicy. */
import type { V1NetworkPolicy, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { ports } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectLabels, objectNames, ownedMeta, selectorLabels } from './common.ts';
import { keysSecretKeys } from './server-config.ts';

/** The uid of the `redis` user in the official images. */
export const redisUid = 999;
/** Where the Redis container finds its config file (from the keys Secret). */
const configDir = '/etc/redis/secret';

export function buildRedisStatefulSet(cluster: CoBrowseCluster): V1StatefulSet | undefined {
  const source = cluster.spec.redis.source;
  if (source.kind !== 'managed') return undefined;
  const names = objectNames(cluster);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: ownedMeta(cluster, names.redis, 'redis'),
    spec: {
      replicas: 1,
      serviceName: names.redis,
      // The StatefulSet controller deletes the claim with the StatefulSet, or keeps it.
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: source.volumeReclaimPolicy,
        whenScaled: 'Retain',
      },
      selector: { matchLabels: selectorLabels(cluster, 'redis') },
      template: {
        metadata: { labels: objectLabels(cluster, 'redis') },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: redisUid,
            runAsGroup: redisUid,
            fsGroup: redisUid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumes: [
            {
              name: 'config',
              secret: {
                secretName: names.keys,
                items: [{ key: keysSecretKeys.redisConfig, path: keysSecretKeys.redisConfig }],
              },
            },
          ],
          containers: [
            {
              name: 'redis',
              image: source.image,
              // The password comes from a mounted config file, never from the command line;
              // redis-cli in the probe reads it from REDISCLI_AUTH.
              args: [
                `${configDir}/${keysSecretKeys.redisConfig}`,
                '--appendonly',
                'yes',
                '--dir',
                '/data',
              ],
              env: [
                {
                  name: 'REDISCLI_AUTH',
                  valueFrom: {
                    secretKeyRef: { name: names.keys, key: keysSecretKeys.redisPassword },
                  },
                },
              ],
              ports: [{ name: 'redis', containerPort: ports.redis, protocol: 'TCP' }],
              readinessProbe: {
                exec: { command: ['sh', '-c', '[ "$(redis-cli ping)" = PONG ]'] },
                periodSeconds: 5,
              },
              livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10 },
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'config', mountPath: configDir, readOnly: true },
              ],
              securityContext: {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              ...(source.resources ? { resources: source.resources } : {}),
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: objectLabels(cluster, 'redis') },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: source.storage } },
            ...(source.storageClassName ? { storageClassName: source.storageClassName } : {}),
          },
        },
      ],
    },
  };
}

export function buildRedisService(cluster: CoBrowseCluster): V1Service | undefined {
  if (cluster.spec.redis.source.kind !== 'managed') return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(cluster, objectNames(cluster).redis, 'redis'),
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(cluster, 'redis'),
      ports: [{ name: 'redis', port: ports.redis, targetPort: 'redis', protocol: 'TCP' }],
    },
  };
}

/** Only this cluster's server pods may reach its Redis. */
export function buildRedisNetworkPolicy(cluster: CoBrowseCluster): V1NetworkPolicy | undefined {
  if (cluster.spec.redis.source.kind !== 'managed') return undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMeta(cluster, objectNames(cluster).redisPolicy, 'redis'),
    spec: {
      podSelector: { matchLabels: selectorLabels(cluster, 'redis') },
      policyTypes: ['Ingress'],
      ingress: [
        {
          _from: [{ podSelector: { matchLabels: selectorLabels(cluster, 'server') } }],
          ports: [{ port: ports.redis, protocol: 'TCP' }],
        },
      ],
    },
  };
}
