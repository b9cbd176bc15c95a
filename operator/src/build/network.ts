/** How traffic reaches the pods: the Service and the Ingress. */
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import { ports } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames, ownedMeta, selectorLabels } from './common.ts';

/** Name of the cookie ingress-nginx pins a browser to one pod with. */
export const stickyCookieName = 'tandem-route';

export function buildService(cluster: CoBrowseCluster): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(cluster, objectNames(cluster).server, 'server'),
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

/**
 * The annotations for ingress-nginx: HTTPS to the pods, long-lived WebSockets and, when asked,
 * cookie affinity (Socket.IO's long-polling needs one pod per handshake). The spec's own
 * annotations come last and win, which is how another controller is configured.
 */
export function buildIngressAnnotations(cluster: CoBrowseCluster): Record<string, string> {
  const { ingress } = cluster.spec;
  const nginx = 'nginx.ingress.kubernetes.io';
  const sticky: Record<string, string> = ingress.stickySessions
    ? {
        [`${nginx}/affinity`]: 'cookie',
        [`${nginx}/affinity-mode`]: 'persistent',
        [`${nginx}/session-cookie-name`]: stickyCookieName,
        [`${nginx}/session-cookie-secure`]: 'true',
        [`${nginx}/session-cookie-samesite`]: 'None',
        [`${nginx}/session-cookie-path`]: '/',
      }
    : {};
  return {
    [`${nginx}/backend-protocol`]: 'HTTPS',
    [`${nginx}/proxy-read-timeout`]: '3600',
    [`${nginx}/proxy-send-timeout`]: '3600',
    ...sticky,
    ...ingress.annotations,
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
    metadata: ownedMeta(cluster, names.server, 'server', buildIngressAnnotations(cluster)),
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
