import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveClusterRules, flattenRules } from './rules.ts';

test('rules follow the owned-kinds table: prune needs delete, Secrets are never listed', () => {
  const grants = new Set(flattenRules(deriveClusterRules()));
  for (const grant of [
    'apps/deployments:delete',
    'apps/deployments:watch',
    'networking.k8s.io/ingresses:delete',
    '/secrets:get',
    '/secrets:delete',
    '/pods:list',
    'tandem.dev/cobrowseclusters/status:patch',
  ]) {
    assert.ok(grants.has(grant), grant);
  }
  for (const grant of ['/secrets:list', '/secrets:watch', '/pods:delete', '/pods:get']) {
    assert.ok(!grants.has(grant), `not ${grant}`);
  }
});
