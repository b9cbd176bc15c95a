/** Reads what the reconcile needs from the cluster before it builds anything. */
import type {
  V1Deployment,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Secret,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { issuedForRotationAnnotation, labelKeys } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames } from '../build/common.ts';
import { describePod, type PodFacts } from '../checks/pods.ts';
import { referencedSecretNames, type ReadSecrets } from '../checks/secrets.ts';
import type { VolumeFacts } from '../checks/volume.ts';
import type { CurrentCertificate } from '../tls/self-signed.ts';
import type { KubeClient } from './client.ts';

/** The rollout facts status is computed from. */
export interface DeploymentFacts {
  generation: number;
  observedGeneration: number;
  specReplicas: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

export interface Observed {
  /** The keys Secret's `data`, base64 values. */
  keys: Record<string, string> | undefined;
  /** The TLS Secret's certificate, whatever its source. */
  tls: CurrentCertificate | undefined;
  deployment: DeploymentFacts | undefined;
  /** Ready Redis pods (managed mode). */
  redisReady: number | undefined;
  /** The cert-manager Certificate's `status.conditions`, as read. */
  certificateConditions: Record<string, unknown>[] | undefined;
  /** The Secrets the spec refers to (agent secret, external Redis, forward-proxy password). */
  secrets: ReadSecrets;
  /** The managed Redis's claim, once the StatefulSet created it. */
  redisVolume: VolumeFacts | undefined;
  /** The cluster's pods (server and Redis), terminating ones left out. */
  pods: PodFacts[];
}

/** The claim a StatefulSet's `data` template creates for its pod 0. */
export function redisClaimName(cluster: CoBrowseCluster): string {
  return `data-${objectNames(cluster).redis}-0`;
}

async function readSecrets(client: KubeClient, cluster: CoBrowseCluster): Promise<ReadSecrets> {
  const namespace = cluster.metadata.namespace;
  const names = referencedSecretNames(cluster);
  const read = await Promise.all(
    names.map((name) => client.read({ apiVersion: 'v1', kind: 'Secret', namespace, name })),
  );
  return new Map(
    names.map((name, i) => [
      name,
      (read[i] as V1Secret | undefined)?.data ?? (read[i] ? {} : undefined),
    ]),
  );
}

async function readRedisVolume(
  client: KubeClient,
  cluster: CoBrowseCluster,
): Promise<VolumeFacts | undefined> {
  if (cluster.spec.redis.source.kind !== 'managed') return undefined;
  const claimName = redisClaimName(cluster);
  const claim = (await client.read({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: cluster.metadata.namespace,
    name: claimName,
  })) as V1PersistentVolumeClaim | undefined;
  if (!claim) return undefined;
  const phase = claim.status?.phase ?? 'Pending';
  // Admission fills in the default class; a claim still without one has none to use.
  const storageClassName = claim.spec?.storageClassName || undefined;
  const storageClassExists =
    phase === 'Pending' && storageClassName
      ? (await client.read({
          apiVersion: 'storage.k8s.io/v1',
          kind: 'StorageClass',
          namespace: '',
          name: storageClassName,
        })) !== undefined
      : undefined;
  return { claimName, phase, storageClassName, storageClassExists };
}

async function readPods(client: KubeClient, cluster: CoBrowseCluster): Promise<PodFacts[]> {
  const selector = `${labelKeys.name}=tandem,${labelKeys.instance}=${cluster.metadata.name}`;
  const pods = await client.list('v1', 'Pod', cluster.metadata.namespace, selector);
  return pods.flatMap((pod) => describePod(pod as V1Pod) ?? []);
}

const decode = (value: string | undefined): string =>
  value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');

export async function gather(client: KubeClient, cluster: CoBrowseCluster): Promise<Observed> {
  const names = objectNames(cluster);
  const namespace = cluster.metadata.namespace;
  const certManager = cluster.spec.tls.kind === 'certManager';
  const managedRedis = cluster.spec.redis.source.kind === 'managed';
  const [keys, tls, deployment, redis, certificate, secrets, redisVolume, pods] = await Promise.all(
    [
      client.read({ apiVersion: 'v1', kind: 'Secret', namespace, name: names.keys }),
      client.read({ apiVersion: 'v1', kind: 'Secret', namespace, name: names.tls }),
      client.read({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: names.server }),
      managedRedis
        ? client.read({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace, name: names.redis })
        : undefined,
      certManager
        ? client.read({
            apiVersion: 'cert-manager.io/v1',
            kind: 'Certificate',
            namespace,
            name: names.certificate,
          })
        : undefined,
      readSecrets(client, cluster),
      readRedisVolume(client, cluster),
      readPods(client, cluster),
    ],
  );
  const tlsSecret = tls as V1Secret | undefined;
  const dep = deployment as V1Deployment | undefined;
  const certStatus = (certificate as { status?: { conditions?: unknown } } | undefined)?.status;
  return {
    keys: (keys as V1Secret | undefined)?.data,
    tls: tlsSecret && {
      certPem: decode(tlsSecret.data?.['tls.crt']),
      keyPem: decode(tlsSecret.data?.['tls.key']),
      rotation: tlsSecret.metadata?.annotations?.[issuedForRotationAnnotation] ?? '',
    },
    deployment: dep && {
      generation: dep.metadata?.generation ?? 0,
      observedGeneration: dep.status?.observedGeneration ?? 0,
      specReplicas: dep.spec?.replicas ?? 0,
      replicas: dep.status?.replicas ?? 0,
      updatedReplicas: dep.status?.updatedReplicas ?? 0,
      readyReplicas: dep.status?.readyReplicas ?? 0,
      availableReplicas: dep.status?.availableReplicas ?? 0,
    },
    redisReady: managedRedis
      ? ((redis as V1StatefulSet | undefined)?.status?.readyReplicas ?? 0)
      : undefined,
    certificateConditions: certificate
      ? (Array.isArray(certStatus?.conditions) ? certStatus.conditions : []).filter(
          (c): c is Record<string, unknown> => typeof c === 'object' && c !== null,
        )
      : undefined,
    secrets,
    redisVolume,
    pods,
  };
}
