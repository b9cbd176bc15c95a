/**
 * The kinds a `CoBrowseCluster` owns, declared once. The watches, the RBAC rules the chart
 * grants (test/operator/helm.test.ts compares them), and the pruning of objects the spec no longer
 * asks for all follow from this table; a builder may only return objects of a kind listed here.
 */

export interface OwnedKind {
  apiVersion: string;
  kind: string;
  /** API group (`''` for the core group). */
  group: string;
  /** Resource name (plural), as RBAC and URLs spell it. */
  resource: string;
  /**
   * Watched (filtered by the managed-by label), so that a change queues the owner. Secrets are
   * not: watching them would need list/watch on every Secret of the cluster.
   */
  watch: boolean;
  /**
   * How objects the spec no longer asks for are found: listed by the owner's labels, or read by
   * the names the operator would have given them (Secrets, which it may not list).
   */
  prune: 'byLabel' | 'byName';
  /** Served by a CRD that may be missing (cert-manager, Gateway API): its absence is no error. */
  optional: boolean;
}

const kind = (
  apiVersion: string,
  kindName: string,
  resource: string,
  options: Partial<Pick<OwnedKind, 'watch' | 'prune' | 'optional'>> = {},
): OwnedKind => ({
  apiVersion,
  kind: kindName,
  group: apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '',
  resource,
  watch: options.watch ?? true,
  prune: options.prune ?? 'byLabel',
  optional: options.optional ?? false,
});

/** Every kind the operator creates, in no particular order (desired.ts orders the apply). */
export const ownedKinds: readonly OwnedKind[] = [
  kind('v1', 'ServiceAccount', 'serviceaccounts'),
  kind('v1', 'Secret', 'secrets', { watch: false, prune: 'byName' }),
  kind('v1', 'ConfigMap', 'configmaps'),
  kind('v1', 'Service', 'services'),
  kind('apps/v1', 'Deployment', 'deployments'),
  kind('apps/v1', 'StatefulSet', 'statefulsets'),
  kind('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  kind('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  kind('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  kind('cert-manager.io/v1', 'Certificate', 'certificates', { optional: true }),
  kind('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes', { optional: true }),
  kind('gateway.networking.k8s.io/v1', 'BackendTLSPolicy', 'backendtlspolicies', {
    optional: true,
  }),
];

/** URL path prefix of a kind's group version, e.g. `/apis/apps/v1` or `/api/v1`. */
export function groupPath(owned: Pick<OwnedKind, 'apiVersion' | 'group'>): string {
  return owned.group === '' ? `/api/${owned.apiVersion}` : `/apis/${owned.apiVersion}`;
}

/** The table's entry for an object's kind. */
export function ownedKindOf(apiVersion: string | undefined, kindName: string | undefined) {
  return ownedKinds.find((k) => k.apiVersion === apiVersion && k.kind === kindName);
}
