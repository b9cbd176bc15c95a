/**
 * The config the server would load, checked with the server's own schema before any pod runs: the
 * operator's config file plus the values its pods get from Secrets, merged as the server merges
 * them. A selector the server's engine does not support (`:not()`), a short agent secret or a
 * Redis URL of the wrong scheme is refused here, with the spec field or Secret named.
 */
import { readEnvOverrides, validateConfig } from '../../../server/src/config/index.ts';
import type { CoBrowseCluster } from '../api/types.ts';
import { buildServerConfig, secretInputs, type SecretInput } from '../build/server-config.ts';
import type { Finding } from './findings.ts';

/** A value for a secret option: the real one when read, else `undefined` (a stand-in is used). */
export type SecretValueOf = (input: SecretInput) => string | undefined;

/** Stand-ins for secrets that are not readable (a missing Secret is reported on its own). */
const standIns: Record<string, string> = {
  'agents.secret': 'x'.repeat(48),
  'forward-proxy.password': 'stand-in',
  'cluster.redis.url': 'redis://stand-in:6379',
};
/** The generated keys Secret's values: always well-formed, so a stand-in of the same form. */
const generatedEnv = { TANDEM__HTTP_PROXY__SIGNING_KEY: 'k'.repeat(48) };

/** Spec field of each server section the resource exposes. */
const sectionFields: Record<string, string> = {
  'dom-restrictions': 'domRestrictions',
  'cross-origin': 'crossOrigin',
  'http-proxy': 'httpProxy',
  'http-security': 'httpSecurity',
  'forward-proxy': 'forwardProxy',
  agents: 'agents',
};

/** What the server sees: the config file merged with the `TANDEM__*` variables of its pods. */
export function buildServerView(
  cluster: CoBrowseCluster,
  valueOf: SecretValueOf,
): Record<string, unknown> {
  const env: Record<string, string> = { ...generatedEnv };
  for (const input of secretInputs(cluster)) {
    if (input.envName) env[input.envName] = valueOf(input) ?? standIns[input.serverPath] ?? 'x';
  }
  let merged: unknown = buildServerConfig(cluster);
  merged = deepMerge(merged, readEnvOverrides(env));
  return merged as Record<string, unknown>;
}

/** One `ConfigInvalid` finding per error the server's schema reports. */
export function checkServerConfig(cluster: CoBrowseCluster, valueOf: SecretValueOf): Finding[] {
  const result = validateConfig(buildServerView(cluster, valueOf));
  if (result.ok) return [];
  const inputs = secretInputs(cluster);
  return result.errors.map((error) => ({
    reason: 'ConfigInvalid',
    message: `the server would refuse its config: ${specFieldOf(error.path, inputs)}: ${error.message} (server option ${error.path})`,
  }));
}

/** The spec field (or Secret) a server option's error comes from. */
export function specFieldOf(serverPath: string, inputs: readonly SecretInput[]): string {
  const input = inputs.find((i) => i.serverPath === serverPath);
  if (input) return `Secret ${input.ref.name} key ${input.ref.key} (${input.specPath})`;
  if (serverPath.startsWith('tls.hostnames')) return 'spec.host';
  if (serverPath === 'log.level') return 'spec.logLevel';
  const [section = '', ...rest] = serverPath.split('.');
  const field = sectionFields[section];
  if (!field) return `the operator's generated ${section} section (a bug: please report it)`;
  return rest.reduce(
    (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`),
    `spec.${field}`,
  );
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (!isObject(a) || !isObject(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
