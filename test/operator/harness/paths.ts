import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in test/operator/harness/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The binaries `make testbed` builds, by the name the harness uses. */
export const testbedBinaries = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
  'helm',
  // The real-pod node's (test/pods).
  'kubelet',
  'kube-proxy',
  'coredns',
  'kube-router',
  'traefik',
] as const;
export type TestbedBinary = (typeof testbedBinaries)[number];

/** Where `make testbed` put things. */
export interface TestbedPaths {
  /** `$TESTBED_CACHE`, default `~/.cache/tandem/testbed`. */
  readonly cache: string;
  readonly bin: Readonly<Record<TestbedBinary, string>>;
  /** Folder of cert-manager's CRD files. */
  readonly certManagerCrds: string;
  /** Folder of the Gateway API's standard-channel CRD files. */
  readonly gatewayApiCrds: string;
  /** kwok's node and pod stages, one multi-document YAML file. */
  readonly kwokStages: string;
}

/** Resolves the testbed cache from `TESTBED_CACHE` (as the Makefile does) or its default. */
export function resolveTestbedPaths(env: NodeJS.ProcessEnv = process.env): TestbedPaths {
  const cache = env['TESTBED_CACHE'] ?? join(homedir(), '.cache/tandem/testbed');
  const bin = Object.fromEntries(
    testbedBinaries.map((name) => [name, join(cache, 'bin', name)]),
  ) as Record<TestbedBinary, string>;
  return {
    cache,
    bin,
    certManagerCrds: join(cache, 'crds/cert-manager'),
    gatewayApiCrds: join(cache, 'crds/gateway-api'),
    kwokStages: join(cache, 'kwok/stages.yaml'),
  };
}

/** Lists what is missing from the testbed; empty when `make testbed` has run. */
export function findMissingTestbedFiles(paths: TestbedPaths): string[] {
  const wanted = [
    ...Object.values(paths.bin),
    paths.certManagerCrds,
    paths.gatewayApiCrds,
    paths.kwokStages,
  ];
  return wanted.filter((file) => !existsSync(file));
}
