/**
 * The managed Redis's volume: a claim that stays Pending keeps Redis, and so the cluster, from
 * starting. The message names the claim and what it waits for, so that the fix is obvious.
 */
import type { CoBrowseCluster } from '../api/types.ts';
import type { Finding } from './findings.ts';

/** The Redis claim as read, and whether the StorageClass it names exists. */
export interface VolumeFacts {
  claimName: string;
  phase: string;
  /** After admission: the named class, or the cluster's default one; `undefined` when neither. */
  storageClassName: string | undefined;
  storageClassExists: boolean | undefined;
}

const field = 'spec.redis.managed.storageClassName';

export function checkRedisVolume(
  cluster: CoBrowseCluster,
  volume: VolumeFacts | undefined,
): Finding[] {
  if (cluster.spec.redis.source.kind !== 'managed' || !volume || volume.phase !== 'Pending') {
    return [];
  }
  const claim = `PersistentVolumeClaim ${volume.claimName} is Pending`;
  const className = volume.storageClassName;
  if (className === undefined) {
    return [
      {
        reason: 'VolumeUnbound',
        message: `${claim}: it names no StorageClass, the cluster has no default StorageClass and no PersistentVolume matches it; set ${field}, mark a StorageClass as the default, or create a PersistentVolume for it`,
      },
    ];
  }
  if (volume.storageClassExists === false) {
    return [
      {
        reason: 'VolumeUnbound',
        message: `${claim}: StorageClass ${className} does not exist; create it, or set ${field} to one that does (kubectl get storageclass)`,
      },
    ];
  }
  return [
    {
      reason: 'VolumePending',
      message: `${claim}: waiting for StorageClass ${className} to provide a volume`,
    },
  ];
}
