/** The configuration files of the real-pod node's processes (pure: test/pods/harness/node.ts writes them). */
import { join } from 'node:path';
import { edgeClass, images, nodeIp, podSubnet } from './node.ts';

/** containerd 1.6's config: its own root, state and socket in the run folder; runc; the CNI. */
export function containerdConfig(ctd: string, socket: string): string {
  return [
    'version = 2',
    `root = "${ctd}/root"`,
    `state = "${ctd}/state"`,
    '[grpc]',
    `  address = "${socket}"`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = "${images.pause}"`,
    // Containers' OOM scores stay at or above containerd's own (needed on this kind of machine).
    '  restrict_oom_score_adj = true',
    '  netns_mounts_under_state_dir = true',
    '  [plugins."io.containerd.grpc.v1.cri".containerd]',
    '    snapshotter = "overlayfs"',
    '    default_runtime_name = "runc"',
    '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    '      runtime_type = "io.containerd.runc.v2"',
    '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    '        SystemdCgroup = false',
    `        Root = "${ctd}/runc"`,
    '  [plugins."io.containerd.grpc.v1.cri".cni]',
    '    bin_dir = "/usr/lib/cni"',
    `    conf_dir = "${ctd}/cni"`,
    '',
  ].join('\n');
}

/** The pods' network: the bridge at the node's address, addresses from the pod range. */
export function cniConfig(ipamDir: string): Record<string, unknown> {
  return {
    cniVersion: '1.0.0',
    name: 'tandem-pods',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        isDefaultGateway: true,
        ipMasq: false, // nothing leaves the namespace, so nothing needs rewriting
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: ipamDir,
          ranges: [[{ subnet: podSubnet, gateway: nodeIp, rangeStart: '10.244.0.10' }]],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** The kubelet's configuration for this machine (testbed/README.md says why each choice). */
export function kubeletConfig(o: {
  socket: string;
  port: number;
  healthPort: number;
  clientCa: string;
  dir: string;
}): Record<string, unknown> {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // This machine has the v1 (hybrid) cgroup layout; v2 only is not possible here.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${o.socket}`,
    address: nodeIp,
    port: o.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: o.healthPort,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: o.clientCa },
    },
    authorization: { mode: 'Webhook' },
    clusterDomain: 'cluster.local',
    clusterDNS: [nodeIp],
    resolvConf: join(o.dir, 'resolv.conf'),
    failSwapOn: false,
    // A test machine's disk is often fuller than a node's: evict on memory only.
    evictionHard: { 'memory.available': '200Mi' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    maxPods: 40,
    syncFrequency: '5s',
    fileCheckFrequency: '5s',
    nodeStatusUpdateFrequency: '4s',
  };
}

/** The cluster's DNS: Services and pods from the API server, nothing forwarded outside. */
export function corefileFor(kubeconfig: string, healthPort: number, readyPort: number): string {
  return [
    `.:53 {`,
    '  errors',
    `  health 127.0.0.1:${healthPort}`,
    `  ready 127.0.0.1:${readyPort}`,
    `  kubernetes cluster.local in-addr.arpa ip6.arpa {`,
    `    kubeconfig ${kubeconfig}`,
    '    pods insecure',
    '  }',
    '  cache 5',
    '}',
    '',
  ].join('\n');
}

/** Traefik's static config: HTTPS on the node's address, its Ingress and Gateway providers. */
export function traefikConfig(o: {
  server: string;
  token: string;
  ca: string;
  pingPort: number;
}): Record<string, unknown> {
  const kubeProvider = { endpoint: o.server, token: o.token, certAuthFilePath: o.ca };
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: 'WARN' },
    entryPoints: {
      websecure: {
        address: `${nodeIp}:443`,
        http: { tls: {} },
        // Agents keep their WebSocket for an hour; Traefik's defaults would cut it.
        transport: { respondingTimeouts: { readTimeout: '3600s', idleTimeout: '3600s' } },
      },
      ping: { address: `127.0.0.1:${o.pingPort}` },
    },
    ping: { entryPoint: 'ping' },
    providers: {
      kubernetesIngress: { ...kubeProvider, ingressClass: edgeClass },
      kubernetesGateway: kubeProvider,
    },
    // The pods' certificates name the public host, not the pod's address the edge dials.
    serversTransport: { insecureSkipVerify: true },
  };
}
