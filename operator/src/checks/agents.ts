/** Agents sign in with a token the server can verify; with no way to verify one, none can. */
import type { CoBrowseCluster } from '../api/types.ts';
import type { Finding } from './findings.ts';

export function checkAgentTokenSource(cluster: CoBrowseCluster): Finding[] {
  const { agents } = cluster.spec;
  if (agents.jwksUrl || agents.secretRef) return [];
  return [
    {
      reason: 'NoAgentTokenSource',
      message:
        "no agent can sign in: spec.agents names no token source; set spec.agents.jwksUrl to the identity provider's JWKS URL, or spec.agents.secretRef to a Secret key holding an HS256 secret of 32 or more characters",
    },
  ];
}
