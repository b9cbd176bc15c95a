/** Names, labels and owner references shared by every builder. */
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { apiVersion, kind, labelKeys, managedByValue } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';

/** Names of the objects one `CoBrowseCluster` owns. */
export interface ObjectNames {
  server: string;
  config: string;
  keys: string;
  tls: string;
  redis: string;
  redisPolicy: string;
  serverPolicy: string;
  certificate: string;
}

/** Derives every owned object's name from the cluster's name (and the TLS source). */
export function objectNames(cluster: CoBrowseCluster): ObjectNames {
  const name = cluster.metadata.name;
  const tls = cluster.spec.tls;
  return {
    server: name,
    config: `${name}-config`,
    keys: `${name}-keys`,
    tls: tls.kind === 'existingSecret' ? tls.name : `${name}-tls`,
    redis: `${name}-redis`,
    redisPolicy: `${name}-redis`,
    serverPolicy: name,
    certificate: name,
  };
}

export type Component = 'server' | 'redis';

/** The labels that select one component's pods (stable: they are in immutable selectors). */
export function selectorLabels(
  cluster: CoBrowseCluster,
  component: Component,
): Record<string, string> {
  return {
    [labelKeys.name]: 'tandem',
    [labelKeys.instance]: cluster.metadata.name,
    [labelKeys.component]: component,
  };
}

/** Selector labels plus the ownership labels the operator's watches filter on. */
export function objectLabels(
  cluster: CoBrowseCluster,
  component: Component,
): Record<string, string> {
  return {
    ...selectorLabels(cluster, component),
    [labelKeys.managedBy]: managedByValue,
    [labelKeys.partOf]: 'tandem',
  };
}

/** `key=value,...` sorted: the form of `status.selector` that the scale subresource reports. */
export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The controller owner reference: garbage collection deletes the object with its cluster. */
export function ownerReference(cluster: CoBrowseCluster): V1OwnerReference {
  return {
    apiVersion,
    kind,
    name: cluster.metadata.name,
    uid: cluster.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of an owned object. */
export function ownedMeta(
  cluster: CoBrowseCluster,
  name: string,
  component: Component,
  annotations?: Record<string, string>,
): V1ObjectMeta {
  const meta: V1ObjectMeta = {
    name,
    namespace: cluster.metadata.namespace,
    labels: objectLabels(cluster, component),
    ownerReferences: [ownerReference(cluster)],
  };
  if (annotations && Object.keys(annotations).length > 0) meta.annotations = annotations;
  return meta;
}
