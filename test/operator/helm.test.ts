// The chart: lint-clean, its CRD identical to crds/, installable with helm into the control plane,
// and its RBAC enough for the operator (run locally as the chart's ServiceAccount, with a token
// from the TokenRequest API) and no more (an extra verb is forbidden).
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  loadAllYaml,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  deriveClusterRules,
  flattenRules,
  type PolicyRule,
} from '../../operator/src/rbac/rules.ts';
import {
  cobrowseClient,
  loadSample,
  repoRoot,
  resolveTestbedPaths,
  startOperatorProcess,
  useControlPlane,
  type OperatorProcess,
} from './harness/index.ts';

const plane = useControlPlane();
const chart = join(repoRoot, 'helm/tandem-operator');
const operators: OperatorProcess[] = [];
after(async () => {
  await Promise.all(operators.map((o) => o.stop()));
});

/** A kubeconfig that authenticates as `namespace/serviceAccount` with a fresh bound token. */
async function serviceAccountKubeconfig(
  namespace: string,
  serviceAccount: string,
): Promise<string> {
  const admin = plane().kubeConfig;
  const core = admin.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  assert.ok(cluster && request.status?.token);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'plane' }],
    users: [{ name: serviceAccount, token: request.status.token }],
    contexts: [{ name: 'sa', cluster: 'plane', user: serviceAccount }],
    currentContext: 'sa',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'tandem-sa-')), 'kubeconfig');
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

describe('helm chart', () => {
  test('helm lint is clean and the chart ships the CRD of crds/', () => {
    const out = execFileSync(resolveTestbedPaths().bin.helm, ['lint', '--strict', chart], {
      encoding: 'utf8',
    });
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    assert.doesNotMatch(out, /\[(WARNING|ERROR)\]/);
    assert.equal(
      readFileSync(join(chart, 'crds/cobrowseclusters.tandem.dev.yaml'), 'utf8'),
      readFileSync(join(repoRoot, 'crds/cobrowseclusters.tandem.dev.yaml'), 'utf8'),
      'helm/tandem-operator/crds/ is a copy of crds/ (make helm-crds)',
    );
  });

  test('names do not double; a ServiceMonitor only where the Prometheus Operator is', () => {
    const helm = resolveTestbedPaths().bin.helm;
    const names = (release: string, ...args: string[]) =>
      (
        loadAllYaml(
          execFileSync(helm, ['template', release, chart, ...args], { encoding: 'utf8' }),
        ) as {
          kind?: string;
          metadata?: { name?: string };
        }[]
      ).filter((d) => d?.kind);
    const deploymentOf = (release: string) =>
      names(release).find((d) => d.kind === 'Deployment')?.metadata?.name;
    assert.equal(deploymentOf('tandem'), 'tandem-operator');
    assert.equal(deploymentOf('tandem-operator'), 'tandem-operator');
    assert.equal(deploymentOf('cobrowse'), 'cobrowse-tandem-operator');
    const monitors = (...args: string[]) =>
      names('tandem', ...args).filter((d) => d.kind === 'ServiceMonitor').length;
    assert.equal(monitors(), 0, 'no ServiceMonitor without its CRD');
    assert.equal(monitors('--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor'), 1);
  });

  test("the chart's ClusterRole grants exactly what the owned-kinds table derives", () => {
    const rendered = execFileSync(resolveTestbedPaths().bin.helm, ['template', 'tandem', chart], {
      encoding: 'utf8',
    });
    const docs = loadAllYaml(rendered) as { kind?: string; rules?: PolicyRule[] }[];
    const role = docs.find((d) => d?.kind === 'ClusterRole');
    assert.ok(role?.rules, 'the chart renders a ClusterRole');
    assert.deepEqual(
      flattenRules(role.rules),
      flattenRules(deriveClusterRules()),
      `helm/tandem-operator/templates/rbac.yaml must grant:\n${JSON.stringify(deriveClusterRules())}`,
    );
  });

  test('helm install, then the operator as the chart ServiceAccount reconciles; more is forbidden', async () => {
    const { kubeconfigPath, kubeConfig } = plane();
    const system = await plane().createNamespace('tandem-system');
    const workload = await plane().createNamespace('helm-workload');
    const env = { ...process.env, KUBECONFIG: kubeconfigPath };
    execFileSync(
      resolveTestbedPaths().bin.helm,
      ['install', 'tandem', chart, '-n', system, '--wait', '--timeout', '120s'],
      { env, encoding: 'utf8' },
    );
    // NOTES work from the installed chart: its commands run as printed (in a namespace of ours).
    const notes = execFileSync(
      resolveTestbedPaths().bin.helm,
      ['get', 'notes', 'tandem', '-n', system],
      { env, encoding: 'utf8' },
    );
    const notesNamespace = await plane().createNamespace('helm-notes');
    const script = notes
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.slice(2))
      .join('\n')
      .replace('NS=default', `NS=${notesNamespace}`);
    assert.match(script, /kubectl -n "\$NS" apply -f -/);
    const kubectlDir = dirname(resolveTestbedPaths().bin.kubectl);
    execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
      env: { ...env, PATH: `${kubectlDir}:${process.env['PATH'] ?? ''}` },
      encoding: 'utf8',
    });
    const fromNotes = cobrowseClient(kubeConfig, kubeconfigPath, notesNamespace);
    assert.equal((await fromNotes.read('tandem')).spec['host'], 'cobrowse.example.com');
    const operatorDeployment = await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'tandem-operator', namespace: system });
    assert.equal(operatorDeployment.spec?.template.spec?.serviceAccountName, 'tandem-operator');

    const saConfig = await serviceAccountKubeconfig(system, 'tandem-operator');
    const operator = startOperatorProcess({
      kubeconfigPath: saConfig,
      identity: 'helm-sa',
      namespace: workload,
      leaseNamespace: system,
    });
    operators.push(operator);
    const k = cobrowseClient(kubeConfig, kubeconfigPath, workload);
    await k.provideRedisVolume('tandem');
    await k.createAgentSecret();
    await k.create(loadSample('cobrowsecluster.yaml'));
    const cluster = await k.waitReady('tandem', 2);
    assert.equal(cluster.status?.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
    assert.ok(
      !operator.logs().some((l) => String(l['error'] ?? '').includes('forbidden')),
      'no request was forbidden',
    );

    // No more than needed: deleting a namespace, listing Secrets or deleting pods is refused.
    const sa = new KubeConfig();
    sa.loadFromFile(saConfig);
    const forbidden = async (what: string, call: () => Promise<unknown>) => {
      const code = await call().then(
        () => 200,
        (error: unknown) => (error instanceof ApiException ? error.code : 0),
      );
      assert.equal(code, 403, `${what} is forbidden to the operator`);
    };
    await forbidden('deleting a namespace', () =>
      sa.makeApiClient(CoreV1Api).deleteNamespace({ name: workload }),
    );
    await forbidden('listing Secrets', () =>
      sa.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: workload }),
    );
    await forbidden('deleting a pod', () =>
      sa.makeApiClient(CoreV1Api).deleteCollectionNamespacedPod({ namespace: workload }),
    );
    // `kubectl auth can-i` prints yes or no (and exits 1 on no).
    const canI = (verb: string, resource: string): string =>
      spawnSync(
        resolveTestbedPaths().bin.kubectl,
        [
          'auth',
          'can-i',
          verb,
          resource,
          '-n',
          workload,
          `--as=system:serviceaccount:${system}:tandem-operator`,
        ],
        { env, encoding: 'utf8' },
      ).stdout.trim();
    assert.equal(canI('patch', 'deployments.apps'), 'yes');
    assert.equal(canI('delete', 'deployments.apps'), 'yes', 'pruning deletes what it owns');
    assert.equal(canI('delete', 'pods'), 'no');
    assert.equal(canI('list', 'secrets'), 'no');
    assert.equal(
      canI('update', 'leases.coordination.k8s.io'),
      'no',
      'leases only in its own namespace',
    );
  });
});
