/** How traffic reaches the pods: the Service, the Ingress, and the pods' NetworkPolicy. */
import type {
  V1Ingress,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1Service,
} from '@kubernetes/client-node';
import { ports } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames, ownedMeta, selectorLabels } from './common.ts';
import { buildPresetAnnotations } from './ingress-presets.ts';

/** The Service; Traefik's preset puts its backend options here, as Traefik reads them. */
export function buildService(cluster: CoBrowseCluster): V1Service {
  const annotations = cluster.spec.ingress.enabled
    ? buildPresetAnnotations(cluster).service
    : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(cluster, objectNames(cluster).server, 'server', annotations),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(cluster, 'server'),
      ports: [
        { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
        { name: 'metrics', port: ports.metrics, targetPort: 'metrics', protocol: 'TCP' },
      ],
    },
  };
}

/** The Ingress, or `undefined` when the spec turns it off. */
export function buildIngress(cluster: CoBrowseCluster): V1Ingress | undefined {
  const { spec } = cluster;
  if (!spec.ingress.enabled) return undefined;
  const names = objectNames(cluster);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: ownedMeta(cluster, names.server, 'server', buildPresetAnnotations(cluster).ingress),
    spec: {
      ...(spec.ingress.className ? { ingressClassName: spec.ingress.className } : {}),
      tls: [{ hosts: [spec.host], secretName: names.tls }],
      rules: [
        {
          host: spec.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: names.server, port: { name: 'https' } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * The server pods' ingress: HTTPS from anywhere (the edge, and pods that call the server), the
 * metrics port only from `spec.metrics.allowFrom` (Prometheus by default): the scrape may reach
 * it, nothing else.
 */
export function buildServerNetworkPolicy(cluster: CoBrowseCluster): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMeta(cluster, objectNames(cluster).serverPolicy, 'server'),
    spec: {
      podSelector: { matchLabels: selectorLabels(cluster, 'server') },
      policyTypes: ['Ingress'],
      ingress: [
        { ports: [{ port: ports.https, protocol: 'TCP' }] },
        {
          _from: cluster.spec.metrics.allowFrom as V1NetworkPolicyPeer[],
          ports: [{ port: ports.metrics, protocol: 'TCP' }],
        },
      ],
    },
  };
}
