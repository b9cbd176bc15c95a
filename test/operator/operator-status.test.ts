// Status that tells the truth, against a real control plane: each CoBrowseCluster below has one
// thing wrong, and its Ready condition, READY column and events say what and where, in words an
// admin can act on. Inputs the server would refuse are refused before any pod exists.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Condition } from '../../operator/src/api/types.ts';
import {
  cobrowseClient,
  loadSample,
  startOperatorProcess,
  useControlPlane,
  waitFor,
  type OperatorProcess,
} from './harness/index.ts';

const plane = useControlPlane();
let operator: OperatorProcess | undefined;
let namespace = '';
let k: ReturnType<typeof cobrowseClient>;
const sampleSpec = loadSample('cobrowsecluster.yaml')['spec'] as Record<string, unknown>;

async function createCluster(name: string, spec: Record<string, unknown>): Promise<void> {
  await k.create({
    apiVersion: 'tandem.dev/v1alpha1',
    kind: 'CoBrowseCluster',
    metadata: { name },
    spec: { ...sampleSpec, ...spec },
  });
}

/** Waits until the cluster's Ready condition has `reason`, and returns it. */
function waitForReady(name: string, reason: string, timeoutMs = 30_000): Promise<Condition> {
  return waitFor(
    `${name}: Ready reason ${reason}`,
    async () => {
      const ready = (await k.read(name)).status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.reason === reason ? ready : undefined;
    },
    { timeoutMs },
  );
}

/** Warning events about one CoBrowseCluster, as `reason: message`. */
async function warnings(name: string): Promise<string[]> {
  const events = await k.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name},involvedObject.kind=CoBrowseCluster,type=Warning`,
  });
  return events.items.map((e) => `${e.reason}: ${e.message}`);
}

const readyColumn = (name: string) =>
  k.kubectl('get', 'cbc', name, '--no-headers').trim().split(/\s+/).slice(1, 3);

async function deploymentExists(name: string): Promise<boolean> {
  return k.apps.readNamespacedDeployment({ name, namespace }).then(
    () => true,
    () => false,
  );
}

describe('CoBrowseCluster status', () => {
  // One operator and one namespace for every case: each case is its own CoBrowseCluster.
  before(async () => {
    namespace = await plane().createNamespace('status');
    k = cobrowseClient(plane().kubeConfig, plane().kubeconfigPath, namespace);
    await k.createAgentSecret();
    operator = startOperatorProcess({
      kubeconfigPath: plane().kubeconfigPath,
      identity: 'status-operator',
      namespace,
    });
  });
  after(async () => {
    await operator?.stop();
  });

  test('no agent token source: applied, but not Ready, and the fix is named', async () => {
    await k.provideRedisVolume('no-agents');
    await createCluster('no-agents', { agents: {} });
    const ready = await waitForReady('no-agents', 'NoAgentTokenSource');
    assert.equal(ready.status, 'False');
    assert.match(
      ready.message,
      /no agent can sign in.*spec\.agents\.jwksUrl.*spec\.agents\.secretRef/,
    );
    assert.deepEqual(readyColumn('no-agents'), ['False', 'NoAgentTokenSource']);
    assert.ok(await deploymentExists('no-agents'), 'the pods run; only agents cannot sign in');
    await waitFor('the Warning event', async () =>
      (await warnings('no-agents')).some((w) => w.startsWith('NoAgentTokenSource: ')),
    );
  });

  test('a missing Secret, then a malformed one, then a good one: no pod until it is right', async () => {
    await k.provideRedisVolume('late-secret');
    await createCluster('late-secret', { agents: { secretRef: { name: 'later', key: 'secret' } } });
    const missing = await waitForReady('late-secret', 'SecretNotFound');
    assert.equal(
      missing.message,
      `Secret later (spec.agents.secretRef) does not exist in namespace ${namespace}: create it with the key secret`,
    );
    assert.equal(await deploymentExists('late-secret'), false, 'nothing was applied');

    await k.createAgentSecret('later', 'short-secret-value');
    const invalid = await waitForReady('late-secret', 'ConfigInvalid');
    assert.match(invalid.message, /Secret later key secret \(spec\.agents\.secretRef\): .*32/);
    assert.doesNotMatch(invalid.message, /short-secret-value/, 'the value never enters status');
    assert.equal(await deploymentExists('late-secret'), false);

    await k.core.replaceNamespacedSecret({
      name: 'later',
      namespace,
      body: { metadata: { name: 'later' }, stringData: { secret: 'a'.repeat(40) } },
    });
    await k.waitReady('late-secret', 2);
    const reasons = (await warnings('late-secret')).map((w) => w.split(':')[0]);
    assert.deepEqual(reasons.sort(), ['ConfigInvalid', 'SecretNotFound']);
  });

  test("a selector the server's engine refuses (:not()) is refused before any pod, by field", async () => {
    await createCluster('bad-selector', {
      domRestrictions: { mask: ['#card-number', 'input:not(.public)'] },
    });
    const ready = await waitForReady('bad-selector', 'ConfigInvalid');
    assert.match(
      ready.message,
      /^the server would refuse its config: spec\.domRestrictions\.mask\[1\]: unsupported selector "input:not\(\.public\)"/,
    );
    const degraded = (await k.read('bad-selector')).status?.conditions?.find(
      (c) => c.type === 'Degraded',
    );
    assert.equal(degraded?.status, 'True');
    assert.equal(await deploymentExists('bad-selector'), false);
    const configMaps = await k.core.listNamespacedConfigMap({
      namespace,
      labelSelector: 'app.kubernetes.io/instance=bad-selector',
    });
    assert.equal(configMaps.items.length, 0, 'no object at all was applied');
    await waitFor('the Warning event', async () =>
      (await warnings('bad-selector')).some((w) => w.startsWith('ConfigInvalid: ')),
    );
  });

  test('an unbound Redis volume names the claim and the missing StorageClass', async () => {
    await createCluster('no-volume', { redis: { managed: { storageClassName: 'fast' } } });
    const ready = await waitForReady('no-volume', 'VolumeUnbound');
    assert.equal(
      ready.message,
      'PersistentVolumeClaim data-no-volume-redis-0 is Pending: StorageClass fast does not exist; create it, or set spec.redis.managed.storageClassName to one that does (kubectl get storageclass)',
    );
  });

  test('a resource the operator cannot build from gets a condition and an event naming the field', async () => {
    await createCluster('bad-quantity', { resources: { requests: { cpu: 'lots' } } });
    const ready = await waitForReady('bad-quantity', 'InvalidSpec');
    assert.equal(
      ready.message,
      'spec.resources.requests.cpu: "lots" is not a Kubernetes quantity (e.g. 250m, 1, 512Mi)',
    );
    assert.deepEqual(readyColumn('bad-quantity'), ['False', 'InvalidSpec']);
    await waitFor('the Warning event', async () =>
      (await warnings('bad-quantity')).some((w) =>
        w.startsWith('InvalidSpec: spec.resources.requests.cpu'),
      ),
    );
  });

  test('pods that cannot be scheduled: how many are ready, and why not', async () => {
    await k.provideRedisVolume('nowhere');
    await createCluster('nowhere', { placement: { nodeSelector: { pool: 'nowhere' } } });
    const ready = await waitForReady('nowhere', 'PodsFailing');
    assert.match(
      ready.message,
      /^0 of 2 pods ready: nowhere-[a-z0-9-]+: Unschedulable \(0\/3 nodes/,
    );
  });
});
