/**
 * The Secrets the spec names: each must exist in the resource's namespace and hold its key, or
 * the pods would fail to start (`CreateContainerConfigError`) with nothing in the resource to say
 * why. Values are only decoded for the server-config check; they never enter a message.
 */
import type { CoBrowseCluster } from '../api/types.ts';
import { secretInputs, type SecretInput } from '../build/server-config.ts';
import type { Finding } from './findings.ts';

/** Secrets as read, by name: their `data` (base64 values), or `undefined` when absent. */
export type ReadSecrets = ReadonlyMap<string, Record<string, string> | undefined>;

/** Names of the Secrets the spec refers to, for the gather step. */
export function referencedSecretNames(cluster: CoBrowseCluster): string[] {
  return [...new Set(secretInputs(cluster).map((input) => input.ref.name))];
}

/** A finding for every referenced Secret that is missing, lacks its key, or holds an empty value. */
export function checkReferencedSecrets(cluster: CoBrowseCluster, secrets: ReadSecrets): Finding[] {
  const namespace = cluster.metadata.namespace;
  return secretInputs(cluster).flatMap((input): Finding[] => {
    const { name, key } = input.ref;
    const data = secrets.get(name);
    if (data === undefined) {
      return [
        {
          reason: 'SecretNotFound',
          message: `Secret ${name} (${input.specPath}) does not exist in namespace ${namespace}: create it with the key ${key}`,
        },
      ];
    }
    const value = data[key];
    if (value === undefined) {
      const keys = Object.keys(data).sort().join(', ') || 'none';
      return [
        {
          reason: 'SecretKeyMissing',
          message: `Secret ${name} has no key ${key} (${input.specPath}); its keys: ${keys}`,
        },
      ];
    }
    if (decode(value).trim() === '') {
      return [
        {
          reason: 'SecretKeyMissing',
          message: `Secret ${name} key ${key} (${input.specPath}) is empty`,
        },
      ];
    }
    return [];
  });
}

/** The decoded value of one secret input, when its Secret and key exist. */
export function secretValue(input: SecretInput, secrets: ReadSecrets): string | undefined {
  const value = secrets.get(input.ref.name)?.[input.ref.key];
  return value === undefined ? undefined : decode(value);
}

function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
