/**
 * Every object one `CoBrowseCluster` should own, in apply order (what others reference first),
 * built by pure functions from the spec and the few generated values gathered beforehand.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CoBrowseCluster } from '../api/types.ts';
import { buildCertificate } from './certificate.ts';
import { buildConfigMap, hashConfigMap } from './config-map.ts';
import { buildDeployment } from './deployment.ts';
import { buildBackendCaConfigMap, buildBackendTlsPolicy, buildHttpRoute } from './gateway.ts';
import { buildIngress, buildServerNetworkPolicy, buildService } from './network.ts';
import { buildPodDisruptionBudget, buildServiceAccount } from './policy.ts';
import { buildRedisNetworkPolicy, buildRedisService, buildRedisStatefulSet } from './redis.ts';
import {
  buildKeysSecret,
  buildSelfSignedTlsSecret,
  type IssuedCertificate,
  type RandomSource,
} from './secrets.ts';

/** Generated values that must survive reconciles, read from the cluster before building. */
export interface GeneratedInputs {
  /** The keys Secret's current `data` (base64 values), if it exists. */
  keys: Record<string, string> | undefined;
  /** Self-signed mode: the certificate to keep or the one just issued. */
  selfSigned: IssuedCertificate | undefined;
  random: RandomSource;
  /** The pods' current certificate (PEM), for the Gateway's CA bundle. */
  certPem?: string | undefined;
}

/** The desired objects, in the order they are applied. */
export function buildDesiredObjects(
  cluster: CoBrowseCluster,
  inputs: GeneratedInputs,
): KubernetesObject[] {
  const configMap = buildConfigMap(cluster);
  const objects: (KubernetesObject | undefined)[] = [
    buildServiceAccount(cluster),
    buildKeysSecret(cluster, inputs.keys, inputs.random),
    inputs.selfSigned && buildSelfSignedTlsSecret(cluster, inputs.selfSigned),
    buildCertificate(cluster),
    configMap,
    buildRedisNetworkPolicy(cluster),
    buildRedisService(cluster),
    buildRedisStatefulSet(cluster),
    buildService(cluster),
    buildServerNetworkPolicy(cluster),
    buildDeployment(cluster, hashConfigMap(configMap)),
    buildPodDisruptionBudget(cluster),
    buildBackendCaConfigMap(cluster, inputs.certPem),
    buildBackendTlsPolicy(cluster),
    buildHttpRoute(cluster),
    buildIngress(cluster),
  ];
  return objects.filter((o): o is KubernetesObject => o !== undefined);
}
