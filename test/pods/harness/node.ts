/**
 * A one-node Kubernetes with real pods, for test/pods: the testbed's control plane on the node's
 * address, containerd and runc, the kubelet, kube-proxy (iptables), CoreDNS (the cluster's DNS),
 * kube-router (NetworkPolicy only) and Traefik (the edge), each a process of the test run, with
 * Tandem's images imported from `make images`. Runs only inside the namespace testbed/pods.sh
 * makes (the bridge cni0 at {@link nodeIp}); nothing here reaches the machine's own network.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageRefs } from '../../../images/build.ts';
import type { ComponentProcess } from '../../operator/harness/components.ts';
import { bootControlPlane, stopComponents } from '../../operator/harness/boot.ts';
import { applyObjects, loadKubeConfig, waitFor } from '../../operator/harness/kube.ts';
import { repoRoot, resolveTestbedPaths } from '../../operator/harness/paths.ts';
import {
  findFreePorts,
  probe,
  startComponent,
  stopComponent,
  tailLog,
  type RunningComponent,
} from '../../operator/harness/processes.ts';
import {
  cniConfig,
  containerdConfig,
  corefileFor,
  kubeletConfig,
  traefikConfig,
} from './node-configs.ts';

/** The node's address on its bridge: the API server, the kubelet, the DNS and the edge. */
export const nodeIp = '10.244.0.1';
export const nodeName = 'tandem-node';
/** The pod range on the bridge (the CNI's host-local IPAM hands these out). */
export const podSubnet = '10.244.0.0/24';
/** The images `make images` writes, imported into containerd before the kubelet starts. */
export const images = imageRefs;
/** The IngressClass and GatewayClass Traefik serves. */
export const edgeClass = 'traefik';

export interface PodNode {
  /** Admin kubeconfig; give it to kubectl, helm and client-node. */
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  /** The folder of this node's files; each process logs to `<runDir>/logs/<name>.log`. */
  readonly runDir: string;
  /** Runs `kubectl` against the node; returns stdout. */
  kubectl(...args: string[]): string;
  stop(): Promise<void>;
}

/** Where pods.sh put this run's files (it removes what outlives the run). */
function runDirOf(): string {
  const dir = process.env['TANDEM_PODS_RUN'];
  if (!dir || !hasNodeBridge())
    throw new Error('the real-pod node runs inside testbed/pods.sh (`make test` does that)');
  return dir;
}

function hasNodeBridge(): boolean {
  try {
    return execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'cni0'], {
      encoding: 'utf8',
    }).includes(`${nodeIp}/`);
  } catch {
    return false;
  }
}

/** Boots the node; on failure, stops what it started and throws with the failing log. */
export async function bootPodNode(): Promise<PodNode> {
  const runDir = runDirOf();
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const bin = resolveTestbedPaths().bin;
  const started: RunningComponent[] = [];
  let plane: Awaited<ReturnType<typeof bootControlPlane>> | undefined;
  /**
   * Starts a process and waits until it is up (a URL of its answers 200, or a check holds);
   * fails at once if the process exits.
   */
  const start = async (
    spec: ComponentProcess,
    ready: string | { what: string; check: () => Promise<unknown> },
    timeoutMs = 90_000,
  ): Promise<void> => {
    const { what, check } =
      typeof ready === 'string'
        ? { what: `${ready} to answer 200`, check: async () => (await probe(ready)) === 200 }
        : ready;
    const component = startComponent(spec, logDir);
    started.push(component);
    const exited = component.exited.then(() => {
      throw new Error(`${spec.name} exited`);
    });
    exited.catch(() => undefined); // raced below; not unhandled when the wait wins
    const readied = waitFor(what, async () => (await check().catch(() => false)) || undefined, {
      timeoutMs,
    });
    await Promise.race([readied, exited]).catch((error: unknown) => {
      throw new Error(`${spec.name}: ${String(error)}\n${tailLog(component.logFile)}`);
    });
  };
  try {
    plane = await bootControlPlane(join(runDir, 'plane'), {
      network: { address: nodeIp, kwok: false },
      identities: [
        { name: 'kubelet', user: `system:node:${nodeName}`, groups: ['system:nodes'] },
        { name: 'kube-proxy', user: 'system:kube-proxy', groups: [] },
        // The node's add-ons run as processes, as cluster admins (testbed only).
        { name: 'coredns', user: 'tandem-coredns', groups: ['system:masters'] },
        { name: 'kube-router', user: 'tandem-kube-router', groups: ['system:masters'] },
      ],
    });
    const { kubeconfigs, pki } = plane;
    const kc = loadKubeConfig(plane.kubeconfig);
    const [
      kubeletPort,
      kubeletHealth,
      proxyHealth,
      proxyMetrics,
      dnsHealth,
      dnsReady,
      routerHealth,
      edgePing,
    ] = (await findFreePorts(8)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];

    // --- containerd and runc, with the CNI bridge --------------------------------------------
    const ctd = join(runDir, 'containerd');
    const socket = join(ctd, 'containerd.sock');
    mkdirSync(join(ctd, 'cni'), { recursive: true });
    writeFileSync(join(ctd, 'config.toml'), containerdConfig(ctd, socket));
    writeFileSync(
      join(ctd, 'cni/10-tandem.conflist'),
      JSON.stringify(cniConfig(join(ctd, 'ipam'))),
    );
    const ctr = (...args: string[]): string =>
      execFileSync('ctr', ['--address', socket, '--namespace', 'k8s.io', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    await start(
      {
        name: 'containerd',
        command: 'containerd',
        args: ['--config', join(ctd, 'config.toml')],
      },
      {
        what: 'containerd to answer',
        check: async () => existsSync(socket) && ctr('version') !== '',
      },
    );
    for (const name of Object.keys(images)) {
      const archive = join(repoRoot, 'dist/images', `${name}.oci.tar`);
      if (!existsSync(archive)) throw new Error(`${archive} is missing: run \`make images\``);
      ctr('images', 'import', '--no-unpack', archive);
    }

    // --- the kubelet ----------------------------------------------------------------------------
    const kubeletDir = join(runDir, 'kubelet');
    mkdirSync(kubeletDir, { recursive: true });
    writeFileSync(join(kubeletDir, 'resolv.conf'), ''); // pods resolve through the cluster DNS only
    writeFileSync(
      join(kubeletDir, 'config.json'),
      JSON.stringify(
        kubeletConfig({
          socket,
          port: kubeletPort,
          healthPort: kubeletHealth,
          clientCa: pki.caCert,
          dir: kubeletDir,
        }),
      ),
    );
    const core = kc.makeApiClient(CoreV1Api);
    await start(
      {
        name: 'kubelet',
        command: bin.kubelet,
        args: [
          `--config=${join(kubeletDir, 'config.json')}`,
          `--kubeconfig=${kubeconfigs['kubelet']}`,
          `--root-dir=${join(kubeletDir, 'root')}`,
          `--cert-dir=${join(kubeletDir, 'pki')}`,
          `--node-ip=${nodeIp}`,
          `--hostname-override=${nodeName}`,
          '--v=1',
        ],
      },
      {
        what: `node ${nodeName} Ready`,
        check: async () => {
          const node = await core.readNode({ name: nodeName });
          return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        },
      },
      120_000,
    );

    // --- kube-proxy, CoreDNS, kube-router -------------------------------------------------------
    await start(
      {
        name: 'kube-proxy',
        command: bin['kube-proxy'],
        args: [
          `--kubeconfig=${kubeconfigs['kube-proxy']}`,
          `--hostname-override=${nodeName}`,
          '--proxy-mode=iptables',
          `--cluster-cidr=${podSubnet}`,
          `--healthz-bind-address=127.0.0.1:${proxyHealth}`,
          `--metrics-bind-address=127.0.0.1:${proxyMetrics}`,
          // Host-wide conntrack sysctls are not the namespace's to change: leave them.
          '--conntrack-max-per-core=0',
          '--conntrack-tcp-timeout-established=0',
          '--conntrack-tcp-timeout-close-wait=0',
          '--v=1',
        ],
      },
      `http://127.0.0.1:${proxyHealth}/healthz`,
    );
    const corefile = join(runDir, 'Corefile');
    writeFileSync(corefile, corefileFor(kubeconfigs['coredns'] ?? '', dnsHealth, dnsReady));
    await start(
      {
        name: 'coredns',
        command: bin.coredns,
        args: ['-conf', corefile],
      },
      `http://127.0.0.1:${dnsReady}/ready`,
    );
    await start(
      {
        name: 'kube-router',
        command: bin['kube-router'],
        args: [
          `--kubeconfig=${kubeconfigs['kube-router']}`,
          `--hostname-override=${nodeName}`,
          '--run-firewall=true',
          '--run-router=false',
          '--run-service-proxy=false',
          '--enable-ipv4=true',
          '--enable-ipv6=false',
          `--health-port=${routerHealth}`,
          '--v=1',
        ],
      },
      `http://127.0.0.1:${routerHealth}/healthz`,
    );

    // --- Traefik, the edge ----------------------------------------------------------------------
    const token = await edgeToken(kc);
    const edgeDir = join(runDir, 'traefik');
    mkdirSync(edgeDir, { recursive: true });
    writeFileSync(
      join(edgeDir, 'traefik.json'),
      JSON.stringify(
        traefikConfig({ server: plane.server, token, ca: pki.caCert, pingPort: edgePing }),
      ),
    );
    await applyObjects(kc, [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: edgeClass },
        spec: { controller: 'traefik.io/ingress-controller' },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: edgeClass },
        spec: { controllerName: 'traefik.io/gateway-controller' },
      },
    ] as never);
    await start(
      {
        name: 'traefik',
        command: bin.traefik,
        args: [`--configFile=${join(edgeDir, 'traefik.json')}`],
      },
      `http://127.0.0.1:${edgePing}/ping`,
    );

    const booted = plane;
    const kubectl = (...args: string[]): string =>
      execFileSync(bin.kubectl, ['--kubeconfig', booted.kubeconfig, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    return {
      kubeconfigPath: booted.kubeconfig,
      kubeConfig: kc,
      runDir,
      kubectl,
      stop: async () => {
        savePodLogs(kubectl, join(logDir, 'pods'));
        await stopNode(started);
        await stopComponents(booted.components);
      },
    };
  } catch (error) {
    await stopNode(started);
    if (plane) await stopComponents(plane.components);
    throw error;
  }
}

/** Every pod's log (and its previous container's), kept with the run's logs for a failed run. */
function savePodLogs(kubectl: (...args: string[]) => string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  let pods: string[] = [];
  try {
    pods = kubectl(
      'get',
      'pods',
      '-A',
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
    )
      .split('\n')
      .filter(Boolean);
  } catch {
    return;
  }
  for (const pod of pods) {
    const [namespace = '', name = ''] = pod.split('/');
    let text = '';
    for (const previous of [true, false]) {
      try {
        text += kubectl(
          '-n',
          namespace,
          'logs',
          name,
          '--all-containers',
          `--previous=${previous}`,
        );
      } catch {
        // No previous container, or the pod is gone.
      }
    }
    writeFileSync(join(dir, `${namespace}_${name}.log`), text);
  }
}

/** Stops the node's processes, newest first; pods.sh kills what their shims left. */
async function stopNode(started: readonly RunningComponent[]): Promise<void> {
  for (const component of [...started].reverse()) await stopComponent(component, 10_000);
}

/**
 * A ServiceAccount token for Traefik: its Kubernetes providers take a bearer token, not a client
 * certificate. Read-only on what an edge reads.
 */
async function edgeToken(kc: KubeConfig): Promise<string> {
  const name = 'tandem-edge';
  const namespace = 'kube-system';
  await applyObjects(kc, [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [
        {
          apiGroups: ['', 'discovery.k8s.io', 'networking.k8s.io', 'gateway.networking.k8s.io'],
          resources: ['*'],
          verbs: ['get', 'list', 'watch'],
        },
        {
          apiGroups: ['networking.k8s.io', 'gateway.networking.k8s.io'],
          resources: [
            'ingresses/status',
            'gatewayclasses/status',
            'gateways/status',
            'httproutes/status',
            'backendtlspolicies/status',
          ],
          verbs: ['update', 'patch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ] as never);
  const core = kc.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 86_400 } } as never,
  });
  const token = request.status?.token;
  if (!token) throw new Error('no token for the edge');
  return token;
}
