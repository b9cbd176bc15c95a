import type { ClusterPki } from './pki.ts';
import type { TestbedPaths } from './paths.ts';

/** The loopback ports one control plane listens on; all picked free at start. */
export interface ControlPlanePorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwok: number;
}

/** What a process of the testbed runs: its name (its log file's too), command and arguments. */
export interface ComponentProcess {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** One process of the control plane: what to run and where its health endpoint is. */
export interface ComponentSpec extends ComponentProcess {
  readonly name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';
  /** Polled until it answers 200 (https ones with the admin certificate). */
  readonly healthUrl: string;
}

/** Files the components read, inside the run folder. */
export interface ComponentFiles {
  readonly etcdDataDir: string;
  readonly controllerManagerKubeconfig: string;
  readonly schedulerKubeconfig: string;
  readonly kwokKubeconfig: string;
}

const loopback = '127.0.0.1';
/** The Service range; its first address names the API server inside the cluster (see pki.ts). */
export const serviceClusterIpRange = '10.96.0.0/16';

/** Where the API server is reached, and whether kwok plays the nodes. */
export interface PlaneNetwork {
  /**
   * The address clients and the `kubernetes` Service use: loopback for the kwok suites, the node's
   * IP on its bridge for the real-pod node (whose pods reach the API server through the Service).
   */
  readonly address: string;
  readonly kwok: boolean;
}

export const loopbackNetwork: PlaneNetwork = { address: loopback, kwok: true };

/**
 * Builds the processes of a control plane, in start order: etcd, API server, controller
 * manager, scheduler, and kwok when it plays the nodes. Pure: the caller writes the files and
 * spawns the processes.
 */
export function buildComponentSpecs(
  paths: TestbedPaths,
  pki: ClusterPki,
  ports: ControlPlanePorts,
  files: ComponentFiles,
  network: PlaneNetwork = loopbackNetwork,
): ComponentSpec[] {
  const onLoopback = network.address === loopback;
  const etcdClientUrl = `http://${loopback}:${ports.etcdClient}`;
  const etcdPeerUrl = `http://${loopback}:${ports.etcdPeer}`;
  return [
    {
      name: 'etcd',
      command: paths.bin.etcd,
      args: [
        '--name=testbed',
        `--data-dir=${files.etcdDataDir}`,
        `--listen-client-urls=${etcdClientUrl}`,
        `--advertise-client-urls=${etcdClientUrl}`,
        `--listen-peer-urls=${etcdPeerUrl}`,
        `--initial-advertise-peer-urls=${etcdPeerUrl}`,
        `--initial-cluster=testbed=${etcdPeerUrl}`,
        // A throwaway store: skipping fsync makes every write (and so every test) much faster.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      healthUrl: `${etcdClientUrl}/health`,
    },
    {
      name: 'kube-apiserver',
      command: paths.bin['kube-apiserver'],
      args: [
        `--etcd-servers=${etcdClientUrl}`,
        `--bind-address=${onLoopback ? loopback : '0.0.0.0'}`,
        `--advertise-address=${network.address}`,
        `--secure-port=${ports.apiserver}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        '--authorization-mode=Node,RBAC',
        '--allow-privileged=true',
        // On loopback the "kubernetes" Service's endpoints would point at 127.0.0.1, which
        // EndpointSlice validation refuses; no kwok pod dials the API server through it. Real
        // pods do (the operator's), so there it points at the node's address, as on a cluster.
        ...(onLoopback
          ? ['--endpoint-reconciler-type=none']
          : [
              '--kubelet-preferred-address-types=InternalIP',
              `--kubelet-client-certificate=${pki.clients['kubelet-client']?.cert ?? ''}`,
              `--kubelet-client-key=${pki.clients['kubelet-client']?.key ?? ''}`,
            ]),
        '--v=1',
      ],
      healthUrl: `https://${loopback}:${ports.apiserver}/readyz`,
    },
    {
      name: 'kube-controller-manager',
      command: paths.bin['kube-controller-manager'],
      args: [
        `--kubeconfig=${files.controllerManagerKubeconfig}`,
        `--bind-address=${loopback}`,
        `--secure-port=${ports.controllerManager}`,
        // Each controller acts as its own service account, with its own RBAC role, as on a cluster.
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        '--leader-elect=false',
        '--v=1',
      ],
      healthUrl: `https://${loopback}:${ports.controllerManager}/healthz`,
    },
    {
      name: 'kube-scheduler',
      command: paths.bin['kube-scheduler'],
      args: [
        `--kubeconfig=${files.schedulerKubeconfig}`,
        `--bind-address=${loopback}`,
        `--secure-port=${ports.scheduler}`,
        '--leader-elect=false',
        '--v=1',
      ],
      healthUrl: `https://${loopback}:${ports.scheduler}/healthz`,
    },
    ...(network.kwok ? [kwokSpec(paths, ports, files)] : []),
  ];
}

function kwokSpec(
  paths: TestbedPaths,
  ports: ControlPlanePorts,
  files: ComponentFiles,
): ComponentSpec {
  return {
    name: 'kwok',
    command: paths.bin.kwok,
    args: [
      `--kubeconfig=${files.kwokKubeconfig}`,
      `--config=${paths.kwokStages}`,
      // Only the nodes the harness creates (annotated so) are kwok's to play.
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation}=fake`,
      '--node-lease-duration-seconds=40',
      '--cidr=10.244.0.0/16',
      '--node-ip=10.0.0.1',
      `--server-address=${loopback}:${ports.kwok}`,
    ],
    healthUrl: `http://${loopback}:${ports.kwok}/healthz`,
  };
}

/** Nodes carrying this annotation (value `fake`) are played by kwok. */
export const kwokNodeAnnotation = 'kwok.x-k8s.io/node';

/** A fake node, as kwok's docs create them: roomy, Linux, amd64, no taint so any pod fits. */
export function buildFakeNode(name: string): Record<string, unknown> {
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [kwokNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    status: {
      allocatable: resources,
      capacity: resources,
      nodeInfo: {
        architecture: 'amd64',
        kubeletVersion: 'fake',
        kubeProxyVersion: 'fake',
        operatingSystem: 'linux',
      },
      phase: 'Running',
    },
  };
}
