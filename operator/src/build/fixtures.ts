/** A literal CoBrowseCluster for the builders' unit tests. */
import { parseCoBrowseCluster } from '../api/parse.ts';
import type { CoBrowseCluster } from '../api/types.ts';

/** Parses `spec` (defaults applied as the API server would) into a cluster named `tandem` in `shop`. */
export function clusterFixture(
  spec: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): CoBrowseCluster {
  const parsed = parseCoBrowseCluster({
    metadata: { name: 'tandem', namespace: 'shop', uid: 'uid-1', generation: 3, annotations },
    spec: { host: 'cobrowse.example.com', ...spec },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export const owner = {
  apiVersion: 'tandem.dev/v1alpha1',
  kind: 'CoBrowseCluster',
  name: 'tandem',
  uid: 'uid-1',
  controller: true,
  blockOwnerDeletion: true,
};

export const serverSelector = {
  'app.kubernetes.io/name': 'tandem',
  'app.kubernetes.io/instance': 'tandem',
  'app.kubernetes.io/component': 'server',
};

export const serverLabels = {
  ...serverSelector,
  'app.kubernetes.io/managed-by': 'tandem-operator',
  'app.kubernetes.io/part-of': 'tandem',
};
