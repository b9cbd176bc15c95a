/**
 * The RBAC rules the operator needs, derived from the owned-kinds table plus the few fixed needs
 * (its own resource, events, read-only facts for status, cert-manager's re-issue trigger). The
 * chart's ClusterRole must grant exactly these: test/operator/helm.test.ts renders the chart and
 * compares.
 */
import { group, plural } from '../api/constants.ts';
import { ownedKinds } from '../api/owned-kinds.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const fixedRules: readonly PolicyRule[] = [
  { apiGroups: [group], resources: [plural], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [group], resources: [`${plural}/status`], verbs: ['patch'] },
  // Owner references with blockOwnerDeletion need this where OwnerReferencesPermissionEnforcement is on.
  { apiGroups: [group], resources: [`${plural}/finalizers`], verbs: ['update'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  // Status says why pods are not ready and why the Redis volume is not bound: read-only.
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get'] },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] },
  // The re-issue trigger: the Issuing condition, as `cmctl renew` sets it.
  { apiGroups: ['cert-manager.io'], resources: ['certificates/status'], verbs: ['patch'] },
];

/** Verbs on one owned kind: read, server-side apply (create + patch), prune (delete), watch. */
function verbsFor(owned: (typeof ownedKinds)[number]): string[] {
  const verbs = ['get', 'create', 'patch', 'delete'];
  if (owned.watch) verbs.push('list', 'watch');
  else if (owned.prune === 'byLabel') verbs.push('list');
  return verbs;
}

/** Every rule, one per owned kind after the fixed ones. */
export function deriveClusterRules(): PolicyRule[] {
  return [
    ...fixedRules,
    ...ownedKinds.map((owned) => ({
      apiGroups: [owned.group],
      resources: [owned.resource],
      verbs: verbsFor(owned),
    })),
  ];
}

/** Rules flattened to `group/resource:verb` strings, to compare grants however they are grouped. */
export function flattenRules(rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const g of rule.apiGroups)
      for (const r of rule.resources) for (const v of rule.verbs) out.add(`${g}/${r}:${v}`);
  }
  return [...out].sort();
}
