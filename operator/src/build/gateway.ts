/**
 * Gateway API, the preferred edge: an HTTPRoute for the host attached to the admin's Gateway, and
 * a BackendTLSPolicy so that the Gateway speaks HTTPS to the pods and checks their certificate
 * (against the CA bundle ConfigMap for a self-signed or existing certificate, the system roots for
 * cert-manager's).
 */
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames, ownedMeta } from './common.ts';
import { stickyCookieName } from './ingress-presets.ts';

const gatewayApi = 'gateway.networking.k8s.io';

/** The parts of Gateway API objects the operator writes (loosely typed: no client types exist). */
export interface GatewayObject extends KubernetesObject {
  spec: Record<string, unknown>;
}

/** Name of the ConfigMap holding the pods' CA bundle for the Gateway. */
export function backendCaName(cluster: CoBrowseCluster): string {
  return `${cluster.metadata.name}-backend-ca`;
}

export function buildHttpRoute(cluster: CoBrowseCluster): GatewayObject | undefined {
  const gateway = cluster.spec.gateway;
  if (!gateway) return undefined;
  const names = objectNames(cluster);
  return {
    apiVersion: `${gatewayApi}/v1`,
    kind: 'HTTPRoute',
    metadata: ownedMeta(cluster, names.server, 'server'),
    spec: {
      parentRefs: [
        {
          group: gatewayApi,
          kind: 'Gateway',
          name: gateway.name,
          ...(gateway.namespace ? { namespace: gateway.namespace } : {}),
          ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
        },
      ],
      hostnames: [cluster.spec.host],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: names.server, port: 443 }],
          // Experimental channel (GEP-1619): the standard channel's CRD drops the field.
          ...(gateway.sessionPersistence
            ? {
                sessionPersistence: {
                  sessionName: stickyCookieName,
                  type: 'Cookie',
                  cookieConfig: { lifetimeType: 'Session' },
                },
              }
            : {}),
        },
      ],
    },
  };
}

export function buildBackendTlsPolicy(cluster: CoBrowseCluster): GatewayObject | undefined {
  if (!cluster.spec.gateway) return undefined;
  const names = objectNames(cluster);
  const publicCa = cluster.spec.tls.kind === 'certManager';
  return {
    apiVersion: `${gatewayApi}/v1`,
    kind: 'BackendTLSPolicy',
    metadata: ownedMeta(cluster, names.server, 'server'),
    spec: {
      targetRefs: [{ group: '', kind: 'Service', name: names.server, sectionName: 'https' }],
      validation: {
        hostname: cluster.spec.host,
        ...(publicCa
          ? { wellKnownCACertificates: 'System' }
          : {
              caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: backendCaName(cluster) }],
            }),
      },
    },
  };
}

/** The CA bundle the Gateway checks the pods against: the certificate itself when self-signed. */
export function buildBackendCaConfigMap(
  cluster: CoBrowseCluster,
  certPem: string | undefined,
): V1ConfigMap | undefined {
  if (!cluster.spec.gateway || cluster.spec.tls.kind === 'certManager' || !certPem) {
    return undefined;
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(cluster, backendCaName(cluster), 'server'),
    data: { 'ca.crt': certPem },
  };
}
