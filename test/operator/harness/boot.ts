import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildComponentSpecs,
  buildFakeNode,
  loopbackNetwork,
  type ControlPlanePorts,
  type PlaneNetwork,
} from './components.ts';
import { applyCrds, applyObjects, loadKubeConfig, loadYamlObjects, waitFor } from './kube.ts';
import { findMissingTestbedFiles, repoRoot, resolveTestbedPaths } from './paths.ts';
import {
  generateClusterPki,
  writeKubeconfig,
  type ClientIdentity,
  type ClusterPki,
} from './pki.ts';
import {
  findFreePorts,
  startComponent,
  stopComponent,
  waitHealthy,
  type RunningComponent,
} from './processes.ts';

/** A control plane this process started. */
export interface BootedPlane {
  readonly kubeconfig: string;
  readonly server: string;
  readonly components: readonly RunningComponent[];
  readonly pki: ClusterPki;
  /** Kubeconfig files of {@link BootOptions.identities}, by identity name. */
  readonly kubeconfigs: Readonly<Record<string, string>>;
}

/** Options of {@link bootControlPlane}. */
export interface BootOptions {
  /** Fake nodes kwok plays. Default 3; ignored without kwok. */
  readonly nodes?: number;
  /** The API server's address and whether kwok runs. Default: loopback, with kwok. */
  readonly network?: PlaneNetwork;
  /** More client certificates (and kubeconfigs named after them), e.g. a kubelet's. */
  readonly identities?: readonly ClientIdentity[];
  /** Folders whose CRDs are applied after cert-manager's. Default: the repo's `crds/`. */
  readonly crdDirs?: readonly string[];
  /** Told of each process as it starts, so that the caller can stop it even mid-boot. */
  readonly onComponent?: (component: RunningComponent) => void;
  /** Told each step as it completes, with the milliseconds since boot began. */
  readonly onStep?: (step: string, elapsedMs: number) => void;
}

const identities: readonly ClientIdentity[] = [
  { name: 'admin', user: 'tandem-admin', groups: ['system:masters'] },
  { name: 'controller-manager', user: 'system:kube-controller-manager', groups: [] },
  { name: 'scheduler', user: 'system:kube-scheduler', groups: [] },
  // kwok writes node and pod status for many nodes; the Node authorizer would allow one node only.
  { name: 'kwok', user: 'kwok', groups: ['system:masters'] },
  // The API server's identity at real kubelets (`kubectl logs`, `exec`), as kubeadm names it.
  { name: 'kubelet-client', user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] },
];

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on free loopback
 * ports with files under `runDir`, waits for each to be healthy, creates the fake nodes and waits
 * until they are Ready, waits for the `default` service account (the controller manager works),
 * and applies cert-manager's, the Gateway API's and ours. On any failure it stops what it started and throws
 * an error carrying the failing component's log.
 */
export async function bootControlPlane(
  runDir: string,
  options: BootOptions = {},
): Promise<BootedPlane> {
  const began = Date.now();
  const step = (name: string): void => options.onStep?.(name, Date.now() - began);
  const paths = resolveTestbedPaths();
  const missing = findMissingTestbedFiles(paths);
  if (missing.length > 0) {
    throw new Error(
      `the testbed is not built (run \`make testbed\`); missing: ${missing.join(', ')}`,
    );
  }
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const network = options.network ?? loopbackNetwork;
  const pki = generateClusterPki(join(runDir, 'pki'), [
    ...identities,
    ...(options.identities ?? []),
  ]);
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] =
    await findFreePorts(6);
  const ports: ControlPlanePorts = {
    etcdClient: etcdClient ?? 0,
    etcdPeer: etcdPeer ?? 0,
    apiserver: apiserver ?? 0,
    controllerManager: controllerManager ?? 0,
    scheduler: scheduler ?? 0,
    kwok: kwok ?? 0,
  };
  const server = `https://${network.address}:${ports.apiserver}`;
  const kubeconfigOf = (name: string): string => {
    const file = join(runDir, name === 'admin' ? 'kubeconfig' : `${name}.kubeconfig`);
    const client = pki.clients[name];
    if (client === undefined) throw new Error(`no certificate for ${name}`);
    writeKubeconfig(file, { server, caCert: pki.caCert, ...client, name });
    return file;
  };
  const kubeconfig = kubeconfigOf('admin');
  const files = {
    etcdDataDir: join(runDir, 'etcd'),
    controllerManagerKubeconfig: kubeconfigOf('controller-manager'),
    schedulerKubeconfig: kubeconfigOf('scheduler'),
    kwokKubeconfig: kubeconfigOf('kwok'),
  };
  const kubeconfigs = Object.fromEntries(
    (options.identities ?? []).map((identity) => [identity.name, kubeconfigOf(identity.name)]),
  );
  const admin = pki.clients['admin'];
  const tls = admin && {
    ca: readFileSync(pki.caCert),
    cert: readFileSync(admin.cert),
    key: readFileSync(admin.key),
  };
  const components: RunningComponent[] = [];
  let crdsApplied: Promise<void> | undefined;
  try {
    for (const spec of buildComponentSpecs(paths, pki, ports, files, network)) {
      const component = startComponent(spec, logDir);
      components.push(component);
      options.onComponent?.(component);
      await waitHealthy(component, spec.healthUrl, { timeoutMs: 60_000, ...(tls && { tls }) });
      step(`${spec.name} healthy`);
      // CRDs need only the API server: apply them while the other components start.
      if (spec.name === 'kube-apiserver') {
        crdsApplied = applyAllCrds(kubeconfig, options);
        crdsApplied.catch(() => undefined); // awaited below; not unhandled meanwhile
      }
    }
    await prepareNodes(kubeconfig, network.kwok ? (options.nodes ?? 3) : 0, step);
    await crdsApplied;
    step('CRDs established');
  } catch (error) {
    await stopComponents(components);
    throw error;
  }
  writeFileSync(join(runDir, 'ports.json'), JSON.stringify(ports, null, 2));
  return { kubeconfig, server, components, pki, kubeconfigs };
}

async function prepareNodes(
  kubeconfig: string,
  fakeNodes: number,
  step: (name: string) => void,
): Promise<void> {
  const kc = loadKubeConfig(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = Array.from({ length: fakeNodes }, (_, i) => buildFakeNode(`kwok-node-${i}`));
  await applyObjects(kc, nodes as unknown as KubernetesObject[]);
  for (const node of nodes) {
    const name = String((node['metadata'] as { name: string }).name);
    await waitFor(`node ${name} Ready`, async () => {
      const current = await core.readNode({ name });
      return current.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    });
  }
  if (fakeNodes > 0) step('nodes Ready');
  // Pods cannot be created in a namespace before its default service account exists.
  await waitFor('the default service account', () =>
    core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }),
  );
  step('default service account exists');
}

async function applyAllCrds(kubeconfig: string, options: BootOptions): Promise<void> {
  const kc = loadKubeConfig(kubeconfig);
  const crdDirs = [
    resolveTestbedPaths().certManagerCrds,
    resolveTestbedPaths().gatewayApiCrds,
    ...(options.crdDirs ?? [join(repoRoot, 'crds')]),
  ];
  await applyCrds(
    kc,
    crdDirs.flatMap((dir) => loadYamlObjects(dir)),
  );
}

/** Stops components in reverse start order (kwok first, etcd last). */
export async function stopComponents(components: readonly RunningComponent[]): Promise<void> {
  const [etcd, ...rest] = components;
  await Promise.all(rest.map((c) => stopComponent(c)));
  if (etcd) await stopComponent(etcd);
}
