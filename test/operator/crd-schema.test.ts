// The CRD documents itself: every field of the schema has a description (so that `kubectl
// explain` reads like documentation), and every condition reason the operator reports is listed
// in docs/operator.md. No control plane needed: this reads the files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { reasons } from '../../operator/src/checks/findings.ts';
import { repoRoot } from './harness/index.ts';

interface SchemaNode {
  description?: string;
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/**
 * Paths of fields without a description: every property, and array items that are objects. The
 * root's `metadata` is the exception: the API server forbids anything but its type there.
 */
function undocumented(node: SchemaNode, path: string): string[] {
  const exempt = /^v\w+\.metadata$/.test(path);
  const missing = node.description?.trim() || exempt ? [] : [path];
  const fields = Object.entries(node.properties ?? {}).flatMap(([name, child]) =>
    undocumented(child, `${path}.${name}`),
  );
  const items =
    node.items && (node.items.type === 'object' || node.items.properties)
      ? undocumented(node.items, `${path}[]`)
      : [];
  return [...missing, ...fields, ...items];
}

test('every field of the CoBrowseCluster schema has a description', () => {
  const crd = parse(
    readFileSync(join(repoRoot, 'crds/cobrowseclusters.tandem.dev.yaml'), 'utf8'),
  ) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[] };
  };
  for (const version of crd.spec.versions) {
    const schema = version.schema.openAPIV3Schema;
    assert.deepEqual(
      undocumented(schema, version.name),
      [],
      `fields without a description in ${version.name}`,
    );
    assert.ok(
      Object.keys(schema.properties?.['spec']?.properties ?? {}).length > 15,
      'the walk reached the spec',
    );
  }
});

test('every condition reason is documented', () => {
  const docs = readFileSync(join(repoRoot, 'docs/operator.md'), 'utf8');
  const missing = Object.keys(reasons).filter((reason) => !docs.includes(`\`${reason}\``));
  assert.deepEqual(missing, [], 'reasons missing from docs/operator.md');
});
