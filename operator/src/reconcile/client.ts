/**
 * The few API calls the reconcile makes, behind one interface: server-side apply with the
 * operator's field manager, reads that turn 404 into `undefined`, status patches and events.
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { apiVersion, fieldManager, group, kind, plural, version } from '../api/constants.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** Empty for a cluster-scoped object (a StorageClass). */
  namespace: string;
  name: string;
}

export interface EventInput {
  namespace: string;
  /** The CoBrowseCluster the event is about. */
  name: string;
  uid: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface KubeClient {
  /** The resource as JSON, or `undefined` when it is gone. */
  getCluster(namespace: string, name: string): Promise<unknown>;
  read(ref: ObjectRef): Promise<KubernetesObject | undefined>;
  /** Objects of one kind in a namespace with these labels (`k=v,...`). */
  list(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector: string,
  ): Promise<KubernetesObject[]>;
  apply(object: KubernetesObject): Promise<void>;
  /** Deletes an object (its dependents in the background); gone already is no error. */
  delete(ref: ObjectRef): Promise<void>;
  /** Merge-patches the resource's status subresource. */
  patchClusterStatus(namespace: string, name: string, status: object): Promise<void>;
  /** Merge-patches a cert-manager Certificate's status subresource. */
  patchCertificateStatus(namespace: string, name: string, status: object): Promise<void>;
  recordEvent(event: EventInput): Promise<void>;
}

/** True when the API server does not serve a kind (its CRD is not installed). */
export function isMissingKind(error: unknown): boolean {
  return (
    isNotFound(error) ||
    (error instanceof Error && error.message.startsWith('Unrecognized API version and kind'))
  );
}

/** True for a 404 from the API server. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

export function createKubeClient(kc: KubeConfig): KubeClient {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const orUndefined = async <T>(call: Promise<T>): Promise<T | undefined> => {
    try {
      return await call;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  return {
    getCluster: (namespace, name) =>
      orUndefined(custom.getNamespacedCustomObject({ group, version, namespace, plural, name })),
    read: (ref) =>
      orUndefined(
        objects.read({
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
        }),
      ),
    async list(apiVersion, kind, namespace, labelSelector) {
      const list = await objects.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      return list.items;
    },
    async apply(object) {
      await objects.patch(
        object,
        undefined,
        undefined,
        fieldManager,
        true,
        PatchStrategy.ServerSideApply,
      );
    },
    async delete(ref) {
      await orUndefined(
        objects.delete(
          {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        ),
      );
    },
    async patchClusterStatus(namespace, name, status) {
      await custom.patchNamespacedCustomObjectStatus(
        { group, version, namespace, plural, name, body: { status }, fieldManager },
        mergePatch,
      );
    },
    async patchCertificateStatus(namespace, name, status) {
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: 'cert-manager.io',
          version: 'v1',
          namespace,
          plural: 'certificates',
          name,
          body: { status },
          fieldManager,
        },
        mergePatch,
      );
    },
    async recordEvent(event) {
      const now = new Date();
      await core.createNamespacedEvent({
        namespace: event.namespace,
        body: {
          metadata: {
            name: `${event.name}.${randomBytes(8).toString('hex')}`,
            namespace: event.namespace,
          },
          involvedObject: {
            apiVersion,
            kind,
            name: event.name,
            namespace: event.namespace,
            uid: event.uid,
          },
          type: event.type,
          reason: event.reason,
          message: event.message,
          source: { component: fieldManager },
          reportingComponent: `${group}/operator`,
          reportingInstance: fieldManager,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    },
  };
}
