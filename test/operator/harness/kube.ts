import {
  ApiException,
  ApiextensionsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  loadAllYaml,
  type KubernetesObject,
  type V1Status,
} from '@kubernetes/client-node';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor as pollFor } from '../../support/wait.ts';
import { delay } from './processes.ts';

/** Field manager the harness applies with. */
export const testbedFieldManager = 'tandem-testbed';

/** Loads a kubeconfig file into a client-node `KubeConfig`. */
export function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/**
 * Polls `check` until it returns a value other than `undefined` (or `false`), and returns it:
 * test/support/wait.ts's loop, with the control plane's patience (30 s, every 200 ms) as defaults.
 */
export function waitFor<T>(
  description: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  return pollFor(check, description, timeoutMs, intervalMs);
}

/** A readable one-liner for client-node errors (whose message holds the response body). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The API server's `Status` carried by a client-node `ApiException` (its `code`, `reason`,
 * `message` and `details.causes`), or `undefined` when the error is something else.
 */
export function apiStatusOf(error: unknown): V1Status | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  try {
    const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    if (typeof parsed === 'object' && parsed !== null && (parsed as V1Status).kind === 'Status') {
      return parsed as V1Status;
    }
  } catch {
    // Not JSON: no Status.
  }
  return undefined;
}

/** Every YAML document in the `.yaml`/`.yml` files of a folder (recursively, sorted by path). */
export function loadYamlObjects(dir: string): KubernetesObject[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder).sort()) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry)) files.push(path);
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return files.flatMap((file) =>
    (loadAllYaml(readFileSync(file, 'utf8')) as unknown[]).filter(isKubernetesObject),
  );
}

function isKubernetesObject(value: unknown): value is KubernetesObject {
  if (typeof value !== 'object' || value === null) return false;
  const { apiVersion, kind } = value as Record<string, unknown>;
  return typeof apiVersion === 'string' && typeof kind === 'string';
}

/** Server-side applies objects, in order, forcing conflicts (the harness owns them). */
export async function applyObjects(
  kc: KubeConfig,
  objects: readonly KubernetesObject[],
): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    await client.patch(
      object,
      undefined,
      undefined,
      testbedFieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
}

/** Applies CustomResourceDefinitions and waits until every one is Established. */
export async function applyCrds(kc: KubeConfig, crds: readonly KubernetesObject[]): Promise<void> {
  const only = crds.filter((o) => o.kind === 'CustomResourceDefinition');
  await applyObjects(kc, only);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const establishedAt = await Promise.all(
    only.map((crd) => {
      const name = crd.metadata?.name ?? '';
      return waitFor(`CRD ${name} Established`, async () => {
        const read = await api.readCustomResourceDefinition({ name });
        const established = read.status?.conditions?.find(
          (c) => c.type === 'Established' && c.status === 'True',
        );
        return established && new Date(established.lastTransitionTime ?? 0).getTime();
      });
    }),
  );
  // The API server holds every create of a custom resource for 2 s while its CRD was Established
  // less than 2 s ago (customresource_handler.go, for HA servers). Wait that out here, once per
  // plane, rather than in the first test that creates one. The time has one-second granularity.
  const quietAt = Math.max(0, ...establishedAt) + 3000;
  await delay(quietAt - Date.now());
}
