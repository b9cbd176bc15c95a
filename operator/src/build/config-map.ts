/** The ConfigMap holding the server's config file, and the hash that rolls the pods on change. */
import { createHash } from 'node:crypto';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { mounts } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames, ownedMeta } from './common.ts';
import { buildServerConfig } from './server-config.ts';

/** The ConfigMap; its one key is the JSON config file the server reads with `--config`. */
export function buildConfigMap(cluster: CoBrowseCluster): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(cluster, objectNames(cluster).config, 'server'),
    data: { [mounts.configFile]: `${JSON.stringify(buildServerConfig(cluster), null, 2)}\n` },
  };
}

/** A short stable hash of the ConfigMap's data, for the pod template annotation. */
export function hashConfigMap(configMap: V1ConfigMap): string {
  const data = configMap.data ?? {};
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
