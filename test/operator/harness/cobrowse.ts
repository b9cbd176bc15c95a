import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  loadAllYaml,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoBrowseClusterStatus } from '../../../operator/src/api/types.ts';
import { waitFor } from './kube.ts';
import { repoRoot, resolveTestbedPaths } from './paths.ts';

/** A CoBrowseCluster as read back (status included), loosely typed for assertions. */
export interface ClusterObject {
  metadata: {
    name: string;
    uid: string;
    generation: number;
    resourceVersion: string;
    annotations?: Record<string, string>;
  };
  spec: Record<string, unknown>;
  status?: CoBrowseClusterStatus;
}

const api = { group: 'tandem.dev', version: 'v1alpha1', plural: 'cobrowseclusters' };

/** The first document of a sample manifest in crds/samples/. */
export function loadSample(file: string): Record<string, unknown> {
  const [doc] = loadAllYaml(readFileSync(join(repoRoot, 'crds/samples', file), 'utf8')) as Record<
    string,
    unknown
  >[];
  if (!doc) throw new Error(`no document in ${file}`);
  return doc;
}

/** A pod that is Ready and not on its way out. */
export function isPodReady(pod: V1Pod): boolean {
  return (
    !pod.metadata?.deletionTimestamp &&
    (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** Helpers bound to one kubeconfig and namespace. */
export function cobrowseClient(kc: KubeConfig, kubeconfigPath: string, namespace: string) {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const kubectl = (...args: string[]): string =>
    execFileSync(resolveTestbedPaths().bin.kubectl, ['-n', namespace, ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
      encoding: 'utf8',
    });
  const readyServerPods = async (name: string): Promise<V1Pod[]> => {
    const pods = await core.listNamespacedPod({
      namespace,
      labelSelector: `app.kubernetes.io/instance=${name},app.kubernetes.io/component=server`,
    });
    return pods.items
      .filter(isPodReady)
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  };
  const read = async (name: string): Promise<ClusterObject> =>
    (await custom.getNamespacedCustomObject({ ...api, namespace, name })) as ClusterObject;
  return {
    custom,
    apps,
    core,
    kubectl,
    read,
    create: (body: Record<string, unknown>) =>
      custom.createNamespacedCustomObject({ ...api, namespace, body }),
    /**
     * Plays the storage provisioner the test plane lacks: a PersistentVolume bound in advance to
     * the managed Redis's claim (`data-<name>-redis-0`), so that its pod can be scheduled.
     */
    provideRedisVolume: (name: string) =>
      core.createPersistentVolume({
        body: {
          metadata: {
            name: `${namespace}-${name}-redis`,
            labels: { 'tandem.test/harness': 'true' },
          },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Retain',
            hostPath: { path: `/tmp/${namespace}-${name}-redis` },
            claimRef: { namespace, name: `data-${name}-redis-0` },
          },
        },
      }),
    /** The Secret the lab sample's `agents.secretRef` names, with a random HS256 secret. */
    createAgentSecret: (name = 'tandem-agents', value = randomBytes(36).toString('base64')) =>
      core.createNamespacedSecret({
        namespace,
        body: { metadata: { name }, stringData: { secret: value } },
      }),
    /** Waits until status says Ready with `replicas` ready pods for the current generation. */
    waitReady: async (name: string, replicas: number, timeoutMs = 60_000) => {
      let last: ClusterObject | undefined;
      try {
        return await waitFor(
          `${name} Ready with ${replicas} ready replicas`,
          async () => {
            const cluster = await read(name);
            last = cluster;
            const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready');
            return ready?.status === 'True' &&
              cluster.status?.readyReplicas === replicas &&
              cluster.status.replicas === replicas &&
              cluster.status.observedGeneration === cluster.metadata.generation
              ? cluster
              : undefined;
          },
          { timeoutMs },
        );
      } catch (error) {
        // Say where it stopped: the last status read.
        throw new Error(
          `${(error as Error).message}; last status: ${JSON.stringify(last?.status)}`,
        );
      }
    },
    /** The Ready pods of the cluster's server, by name. */
    readyServerPods,
    /** Names of the Ready pods of the cluster's server. */
    readyPods: async (name: string): Promise<string[]> =>
      (await readyServerPods(name)).map((p) => p.metadata?.name ?? ''),
  };
}
