/**
 * The checks on a resource and what was gathered for it, in the order they read best: spec and
 * Secrets first (they decide whether anything is applied), then what the cluster made of it.
 */
import type { CoBrowseCluster } from '../api/types.ts';
import type { Observed } from '../reconcile/gather.ts';
import { checkAgentTokenSource } from './agents.ts';
import type { Finding } from './findings.ts';
import { checkReferencedSecrets, secretValue } from './secrets.ts';
import { checkServerConfig } from './server-config.ts';
import { checkRedisVolume } from './volume.ts';

/** Findings about the resource's own inputs: the spec, its Secrets, the server's config. */
export function checkInputs(cluster: CoBrowseCluster, observed: Observed): Finding[] {
  return [
    ...checkReferencedSecrets(cluster, observed.secrets),
    ...checkServerConfig(cluster, (input) => secretValue(input, observed.secrets)),
    ...checkAgentTokenSource(cluster),
    ...checkRedisVolume(cluster, observed.redisVolume),
  ];
}
