/** The cert-manager Certificate, in the `certManager` TLS mode. */
import type { KubernetesObject } from '@kubernetes/client-node';
import { rotateCertificateAnnotation } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames, ownedMeta } from './common.ts';

/** The part of cert-manager's `Certificate` the operator writes. */
export interface Certificate extends KubernetesObject {
  spec: {
    secretName: string;
    dnsNames: string[];
    issuerRef: { name: string; kind: string; group: string };
    duration?: string;
    renewBefore?: string;
    privateKey: { rotationPolicy: 'Always'; algorithm: 'ECDSA'; size: 256 };
    usages: string[];
  };
}

/**
 * The Certificate, or `undefined` outside cert-manager mode. The rotation request is copied onto
 * it as an annotation, for people reading it; the re-issue itself is the `Issuing` condition the
 * operator sets (reissue.ts), as `cmctl renew` does.
 */
export function buildCertificate(cluster: CoBrowseCluster): Certificate | undefined {
  const tls = cluster.spec.tls;
  if (tls.kind !== 'certManager') return undefined;
  const names = objectNames(cluster);
  const rotation = cluster.metadata.annotations[rotateCertificateAnnotation];
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: ownedMeta(
      cluster,
      names.certificate,
      'server',
      rotation === undefined ? undefined : { [rotateCertificateAnnotation]: rotation },
    ),
    spec: {
      secretName: names.tls,
      dnsNames: [cluster.spec.host],
      issuerRef: { ...tls.issuerRef },
      ...(tls.duration ? { duration: tls.duration } : {}),
      ...(tls.renewBefore ? { renewBefore: tls.renewBefore } : {}),
      // A fresh key on every issue, so a rotation also replaces a possibly leaked key.
      privateKey: { rotationPolicy: 'Always', algorithm: 'ECDSA', size: 256 },
      usages: ['server auth', 'digital signature', 'key encipherment'],
    },
  };
}
