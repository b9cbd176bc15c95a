/**
 * List-then-watch loops that turn every change of the custom resource, or of an object it owns,
 * into the owning resource's key. Level-triggered: a key is all the reconcile needs, so there is
 * no cache; a broken watch relists (which queues every key again) and resumes.
 */
import { KubernetesObjectApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { group, kind } from '../api/constants.ts';
import type { Logger } from '../log.ts';
import { isMissingKind } from '../reconcile/client.ts';

export interface WatchedKind {
  apiVersion: string;
  kind: string;
  /** URL path prefix of the API group version, e.g. `/apis/apps/v1`. */
  groupPath: string;
  /** Resource (plural), e.g. `deployments`. */
  resource: string;
  /** Only objects with these labels (owned kinds carry the operator's). */
  labelSelector?: string;
  /** Served by a CRD that may be missing: then looked for again every 30 s, quietly. */
  optional?: boolean;
}

interface ObjectLike {
  metadata?: {
    name?: string;
    namespace?: string;
    ownerReferences?: { apiVersion?: string; kind?: string; name?: string }[];
  };
  kind?: string;
}

/** The `namespace/name` key of the CoBrowseCluster an object is, or is owned by. */
export function keyOf(object: ObjectLike, watchedKind: string): string | undefined {
  const ns = object.metadata?.namespace;
  if (!ns) return undefined;
  if (watchedKind === kind)
    return object.metadata?.name ? `${ns}/${object.metadata.name}` : undefined;
  const owner = object.metadata?.ownerReferences?.find(
    (ref) => ref.kind === kind && ref.apiVersion?.startsWith(`${group}/`),
  );
  return owner?.name ? `${ns}/${owner.name}` : undefined;
}

/** Starts watching; returns a function that stops it. */
export function watchKind(
  kc: KubeConfig,
  watched: WatchedKind,
  namespace: string | undefined,
  onKey: (key: string) => void,
  log: Logger,
  retryMs = 1000,
): () => void {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const watcher = new Watch(kc);
  let stopped = false;
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;

  const restart = (afterMs = retryMs): void => {
    if (stopped) return;
    timer = setTimeout(() => void start(), afterMs);
    timer.unref();
  };

  const start = async (): Promise<void> => {
    try {
      const list = await objects.list(
        watched.apiVersion,
        watched.kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        watched.labelSelector,
      );
      for (const item of list.items) {
        const key = keyOf(item, watched.kind);
        if (key) onKey(key);
      }
      if (stopped) return;
      const path = namespace
        ? `${watched.groupPath}/namespaces/${namespace}/${watched.resource}`
        : `${watched.groupPath}/${watched.resource}`;
      abort = await watcher.watch(
        path,
        {
          resourceVersion: list.metadata?.resourceVersion,
          allowWatchBookmarks: true,
          ...(watched.labelSelector ? { labelSelector: watched.labelSelector } : {}),
        },
        (phase: string, object: unknown) => {
          if (phase === 'BOOKMARK' || typeof object !== 'object' || object === null) return;
          const key = keyOf(object as ObjectLike, watched.kind);
          if (key) onKey(key);
        },
        (error: unknown) => {
          if (error && !stopped)
            log.debug({ kind: watched.kind, error: String(error) }, 'watch ended; relisting');
          restart();
        },
      );
    } catch (error) {
      if (watched.optional && isMissingKind(error)) {
        log.debug({ kind: watched.kind }, 'its CRD is not installed; looking again in 30 s');
        restart(30_000);
        return;
      }
      log.warn({ kind: watched.kind, error: String(error) }, 'list failed; retrying');
      restart();
    }
  };

  void start();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    abort?.abort();
  };
}
