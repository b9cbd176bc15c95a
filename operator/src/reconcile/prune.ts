/**
 * Deletes what a cluster owns but its spec no longer asks for (the Ingress once it is turned off,
 * the Redis objects after a switch to external Redis, the Certificate after a switch away from
 * cert-manager). Candidates come from the owned-kinds table: listed by the owner's labels within
 * its namespace, or read by name for Secrets; only objects whose controller is this very
 * resource (uid) are deleted.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { kind as clusterKind, labelKeys, managedByValue } from '../api/constants.ts';
import { ownedKinds, type OwnedKind } from '../api/owned-kinds.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames } from '../build/common.ts';
import type { KubeClient } from './client.ts';
import { isMissingKind } from './client.ts';

const keyOf = (o: KubernetesObject): string => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;

/** Names a Secret of this cluster could have had (never the admin's existing TLS Secret). */
function secretNames(cluster: CoBrowseCluster): string[] {
  const name = cluster.metadata.name;
  const names = [objectNames(cluster).keys, `${name}-tls`];
  const tls = cluster.spec.tls;
  return names.filter((n) => tls.kind !== 'existingSecret' || n !== tls.name);
}

/** True when `object`'s controller is `cluster` itself. */
export function isControlledBy(object: KubernetesObject, cluster: CoBrowseCluster): boolean {
  return (object.metadata?.ownerReferences ?? []).some(
    (ref) =>
      ref.controller === true && ref.kind === clusterKind && ref.uid === cluster.metadata.uid,
  );
}

async function candidates(
  client: KubeClient,
  cluster: CoBrowseCluster,
  owned: OwnedKind,
): Promise<KubernetesObject[]> {
  const namespace = cluster.metadata.namespace;
  try {
    if (owned.prune === 'byName') {
      const read = await Promise.all(
        secretNames(cluster).map((name) =>
          client.read({ apiVersion: owned.apiVersion, kind: owned.kind, namespace, name }),
        ),
      );
      return read.filter((o): o is KubernetesObject => o !== undefined);
    }
    const selector = `${labelKeys.instance}=${cluster.metadata.name},${labelKeys.managedBy}=${managedByValue}`;
    return await client.list(owned.apiVersion, owned.kind, namespace, selector);
  } catch (error) {
    // A kind whose CRD is not installed holds nothing to prune.
    if (owned.optional && isMissingKind(error)) return [];
    throw error;
  }
}

/** Deletes every owned object not in `desired`; returns their `apiVersion/kind/name` keys. */
export async function pruneUnwanted(
  client: KubeClient,
  cluster: CoBrowseCluster,
  desired: readonly KubernetesObject[],
): Promise<string[]> {
  const wanted = new Set(desired.map(keyOf));
  const deleted: string[] = [];
  for (const owned of ownedKinds) {
    for (const object of await candidates(client, cluster, owned)) {
      const key = keyOf({ ...object, apiVersion: owned.apiVersion, kind: owned.kind });
      if (wanted.has(key) || !isControlledBy(object, cluster)) continue;
      await client.delete({
        apiVersion: owned.apiVersion,
        kind: owned.kind,
        namespace: cluster.metadata.namespace,
        name: object.metadata?.name ?? '',
      });
      deleted.push(key);
    }
  }
  return deleted;
}
