/** The server's ServiceAccount (no API access, no token) and its PodDisruptionBudget. */
import type { V1PodDisruptionBudget, V1ServiceAccount } from '@kubernetes/client-node';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames, ownedMeta, selectorLabels } from './common.ts';

export function buildServiceAccount(cluster: CoBrowseCluster): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: ownedMeta(cluster, objectNames(cluster).server, 'server'),
    // The server never calls the Kubernetes API.
    automountServiceAccountToken: false,
  };
}

/** Voluntary evictions (drains, upgrades) take at most one pod at a time. */
export function buildPodDisruptionBudget(cluster: CoBrowseCluster): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMeta(cluster, objectNames(cluster).server, 'server'),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(cluster, 'server') },
    },
  };
}
