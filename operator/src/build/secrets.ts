/**
 * Secrets the operator generates: the keys Secret (Redis password, resource-proxy signing key)
 * and, in self-signed mode, the TLS Secret. Values are generated once and then kept: the builders
 * take what already exists and an injected random source, so they stay pure and repeatable.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { issuedForRotationAnnotation } from '../api/constants.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { objectNames, ownedMeta } from './common.ts';
import { keysSecretKeys } from './server-config.ts';

/** Returns `bytes` random bytes (node:crypto's `randomBytes` in production). */
export type RandomSource = (bytes: number) => Buffer;

/** The keys Secret: existing values (base64, as read) are kept, missing ones generated. */
export function buildKeysSecret(
  cluster: CoBrowseCluster,
  existing: Record<string, string> | undefined,
  random: RandomSource,
): V1Secret {
  // base64url of random bytes: never valid JSON, so TANDEM__* env parsing keeps it a string.
  const generate = (): string => Buffer.from(random(36).toString('base64url')).toString('base64');
  const data: Record<string, string> = {};
  for (const key of [keysSecretKeys.redisPassword, keysSecretKeys.signingKey]) {
    data[key] = existing?.[key] ?? generate();
  }
  // Redis reads its password from a config file, never from its command line (visible in ps).
  const password = Buffer.from(data[keysSecretKeys.redisPassword] ?? '', 'base64').toString('utf8');
  data[keysSecretKeys.redisConfig] = Buffer.from(`requirepass ${password}\n`).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMeta(cluster, objectNames(cluster).keys, 'server'),
    type: 'Opaque',
    data,
  };
}

/** A certificate and key in PEM, with the rotation request it answers. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  rotation: string;
}

/** The self-signed TLS Secret holding `issued`. */
export function buildSelfSignedTlsSecret(
  cluster: CoBrowseCluster,
  issued: IssuedCertificate,
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMeta(cluster, objectNames(cluster).tls, 'server', {
      [issuedForRotationAnnotation]: issued.rotation,
    }),
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(issued.certPem).toString('base64'),
      'tls.key': Buffer.from(issued.keyPem).toString('base64'),
    },
  };
}
