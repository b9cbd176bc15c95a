/** Reads what the reconcile needs from the cluster before it builds anything. */
import type { V1Deployment, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { issuedForRotationAnnotation } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames } from '../build/common.ts';
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
}

const decode = (value: string | undefined): string =>
  value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');

export async function gather(client: KubeClient, cluster: CoBrowseCluster): Promise<Observed> {
  const names = objectNames(cluster);
  const namespace = cluster.metadata.namespace;
  const certManager = cluster.spec.tls.kind === 'certManager';
  const managedRedis = cluster.spec.redis.source.kind === 'managed';
  const [keys, tls, deployment, redis, certificate] = await Promise.all([
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
  ]);
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
  };
}
