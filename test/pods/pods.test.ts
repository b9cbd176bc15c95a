/**
 * Tandem on real pods: the images `make images` built, run by a real kubelet (containerd, runc),
 * routed by kube-proxy, named by CoreDNS, fenced by kube-router and reached through Traefik, as a
 * cluster admin would deploy it: the Helm chart installs the operator, a CoBrowseCluster asks for
 * servers and a managed Redis. Then a real Chromium customer and agent co-browse through the edge,
 * and the cluster is scaled, loses a pod and rotates its certificate under them.
 *
 * Runs inside testbed/pods.sh's namespace (`make test` does that); see test/pods/harness/node.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ports, rotateCertificateAnnotation } from '../../operator/src/api/constants.ts';
import { stickyCookieName } from '../../operator/src/build/ingress-presets.ts';
import { cobrowseClient, isPodReady } from '../operator/harness/cobrowse.ts';
import { repoRoot, resolveTestbedPaths } from '../operator/harness/paths.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { sumSamples } from '../support/metrics.ts';
import { launchChromium, pollUntil } from '../e2e/support/browser.ts';
import {
  agentState,
  consoleUrl,
  type AgentGlobal,
  type CustomerGlobal,
} from '../e2e/support/demo-session.ts';
import { agentShape, customerShape } from '../e2e/support/page-shape.ts';
import { startStaticServer, type StaticServer } from '../e2e/support/static-server.ts';
import { clickWidgetButton } from '../e2e/support/widget.ts';
import { bootPodNode, edgeClass, images, nodeIp, type PodNode } from './harness/node.ts';

const namespace = 'tandem';
const name = 'tandem';
/** The public host agents and the snippet use; the browser resolves it to the edge. */
const host = 'cobrowse.tandem.test';
const origin = `https://${host}`;
const shopHost = 'shop.tandem.test';
const agentSecret = randomBytes(36).toString('base64');

describe('Tandem on real pods', () => {
  let node: PodNode;
  let shop: StaticServer;
  let shopOrigin: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let customer: Page;
  let agent: Page;
  /** The session's code, as the customer reads it out. */
  let code = '';
  let client: ReturnType<typeof cobrowseClient>;

  before(async () => {
    node = await bootPodNode();
    client = cobrowseClient(node.kubeConfig, node.kubeconfigPath, namespace);
    // The customer's shop: the demo page, loading the snippet from the cluster's public host.
    const demo = join(repoRoot, 'server/dist/web/demo');
    const page = readFileSync(join(demo, 'index.html'), 'utf8').replace(
      'src="/tandem.js"',
      `src="${origin}/tandem.js"`,
    );
    shop = await startStaticServer(join(repoRoot, 'server/dist/web'), {
      '/demo/': { body: async () => page, headers: { 'content-type': 'text/html' } },
    });
    shopOrigin = `http://${shopHost}:${new URL(shop.url).port}`;
    browser = await launchChromium([
      `--host-resolver-rules=MAP ${host} ${nodeIp}, MAP ${shopHost} 127.0.0.1`,
    ]);
  });

  after(async () => {
    await browser?.close();
    await shop?.stop();
    await node?.stop();
  });

  const helm = (...args: string[]): string =>
    execFileSync(resolveTestbedPaths().bin.helm, ['--kubeconfig', node.kubeconfigPath, ...args], {
      encoding: 'utf8',
    });

  it('installs the operator from the Helm chart and its pod becomes Ready', async () => {
    helm(
      'install',
      'tandem-operator',
      join(repoRoot, 'helm/tandem-operator'),
      '--namespace',
      'tandem-system',
      '--create-namespace',
      '--set',
      'replicaCount=1',
      '--set',
      'image.pullPolicy=Never',
      '--wait',
      '--timeout',
      '3m',
    );
    const pods = await client.core.listNamespacedPod({ namespace: 'tandem-system' });
    assert.equal(pods.items.filter(isPodReady).length, 1, JSON.stringify(pods.items));
  });

  it('reconciles a CoBrowseCluster into Ready pods (the kubelet probes /readyz) and a managed Redis', async () => {
    node.kubectl('create', 'namespace', namespace);
    await client.createAgentSecret('tandem-agents', agentSecret);
    // The node has no storage provisioner: the admin's PersistentVolume, bound to Redis's claim.
    const redisData = join(node.runDir, 'redis-data');
    mkdirSync(redisData, { mode: 0o777 });
    execFileSync('chmod', ['0777', redisData]);
    await client.core.createPersistentVolume({
      body: {
        metadata: { name: 'tandem-redis-data' },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          hostPath: { path: redisData, type: 'Directory' },
          claimRef: { namespace, name: `data-${name}-redis-0` },
        },
      },
    });
    await client.create({
      apiVersion: 'tandem.dev/v1alpha1',
      kind: 'CoBrowseCluster',
      metadata: { name },
      spec: {
        replicas: 2,
        host,
        imagePullPolicy: 'Never',
        agents: { secretRef: { name: 'tandem-agents', key: 'secret' } },
        crossOrigin: { allowedOrigins: [shopOrigin] },
        redis: { managed: { image: images.redis, storage: '1Gi' } },
        ingress: { className: edgeClass },
      },
    });
    await client.waitReady(name, 2, 240_000);
    assert.deepEqual((await client.readyPods(name)).length, 2);
  });

  const contextFor = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true, // the cluster's self-signed certificate
      viewport: { width: 1100, height: 800 },
    });
    contexts.push(context);
    return context;
  };
  const customerState = (): Promise<string> =>
    customer.evaluate(() => (globalThis as unknown as CustomerGlobal).Tandem.state);
  async function expectInSync(what: string): Promise<void> {
    const { elapsedMs } = await pollUntil(
      what,
      async () => {
        const expected = await customerShape(customer);
        const typed = await customer.locator('#name').inputValue();
        if ((await agentShape(agent)) !== expected) return undefined;
        return (await agent.frameLocator('#view').locator('#name').inputValue()) === typed
          ? true
          : undefined;
      },
      30_000,
    );
    console.log(`  ${what}: the agent is in sync after ${elapsedMs} ms`);
  }

  it('mirrors a customer to an agent through the edge, and lets the agent control with consent', async () => {
    customer = await (await contextFor()).newPage();
    await customer.goto(`${shopOrigin}/demo/`);
    await customer.locator('#help').click();
    ({ value: code } = await pollUntil(
      'the session code',
      async () =>
        (await customer.locator('#help-status').textContent())?.match(/agent: (\S+)/)?.[1],
      30_000,
    ));
    agent = await (await contextFor()).newPage();
    const token = await mintTestToken({
      name: 'Ada',
      secret: agentSecret,
      privileges: ['cobrowse:monitor', 'cobrowse:control'],
    });
    await agent.goto(consoleUrl(origin, code, token, 'Ada'));
    await pollUntil(
      'the agent connected',
      async () => ((await agentState(agent)) === 'connected' ? true : undefined),
      30_000,
    );
    await customer.locator('#name').pressSequentially('Grace Hopper');
    await customer.locator('#add-item').click();
    await expectInSync('mirror through Traefik to the pods');

    // Control: the agent asks, the customer allows, the agent's click lands on the real page.
    await agent.locator('#control').click();
    await clickWidgetButton(customer.context(), customer, 'allow');
    await pollUntil(
      'control granted',
      async () =>
        (await agent.evaluate(
          () => (globalThis as unknown as AgentGlobal).__tandemAgent?.controlMode() ?? 'loading',
        )) === 'granted'
          ? true
          : undefined,
      30_000,
    );
    const items = (): Promise<number> => customer.locator('#items li').count();
    const before = await items();
    const box = await agent.frameLocator('#view').locator('#add-item').boundingBox();
    assert.ok(box, "the button is visible in the agent's view");
    await agent.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await pollUntil(
      "the agent's click to add an item on the customer's page",
      async () => ((await items()) === before + 1 ? true : undefined),
      30_000,
    );
  });

  it('keeps the session when a server pod is deleted mid-session', async () => {
    // The pod the customer's socket is on, by each pod's own count of customer connections.
    const pods = await serverPods();
    const counts = await Promise.all(
      pods.map(async (pod) =>
        sumSamples(await podMetrics(pod.ip), 'tandem_connections{', 'namespace="customer"'),
      ),
    );
    const home = pods[counts.findIndex((n) => n > 0)];
    assert.ok(home, `one pod holds the customer: ${JSON.stringify(counts)}`);
    await client.core.deleteNamespacedPod({ name: home.name, namespace, gracePeriodSeconds: 0 });
    await pollUntil(
      'the customer to notice',
      async () => ((await customerState()) !== 'active' ? true : undefined),
      30_000,
    ).catch(() => undefined); // a fast reconnect may hide the gap from a poll
    await pollUntil(
      'the customer active again',
      async () => ((await customerState()) === 'active' ? true : undefined),
      60_000,
    );
    await customer.locator('#add-item').click();
    await customer.locator('#name').fill('Grace B. Hopper');
    await expectInSync('after a server pod was deleted');
    await client.waitReady(name, 2, 180_000);
  });

  it('scales to 3 with kubectl scale, and the edge spreads new browsers over the pods', async () => {
    node.kubectl('-n', namespace, 'scale', `cobrowsecluster/${name}`, '--replicas=3');
    await client.waitReady(name, 3, 180_000);
    // Each fresh client gets the sticky cookie of the pod the edge picked for it.
    // (The edge learns of the new pod from its EndpointSlice a moment after it is Ready.)
    const picked = new Set<string>();
    await pollUntil(
      'new browsers landing on every pod',
      async () => {
        const { cookies } = await edgeGet('/healthz');
        const route = cookies.find((c) => c.startsWith(`${stickyCookieName}=`));
        assert.ok(route, `the edge sets ${stickyCookieName}: ${cookies.join('; ')}`);
        picked.add(route.split(';')[0]!);
        return picked.size === 3 ? true : undefined;
      },
      60_000,
    );
    // And a browser that has the cookie stays where it is.
    const [pinned] = [...picked];
    const again = await edgeGet('/healthz', pinned);
    assert.equal(again.status, 200);
    assert.ok(
      !again.cookies.some((c) => c.startsWith(`${stickyCookieName}=`) && !c.startsWith(pinned!)),
    );
  });

  it('rotates the certificate with no socket dropped: the edge and every pod serve the new one', async () => {
    const before = await edgeCertificate();
    const pods = await serverPods();
    assert.equal(pods.length, 3);
    for (const pod of pods) assert.equal(await podCertificate(pod.ip), before, pod.name);
    const states: string[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        states.push(`${await customerState()}/${await agentState(agent)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    node.kubectl(
      '-n',
      namespace,
      'annotate',
      '--overwrite',
      `cobrowsecluster/${name}`,
      `${rotateCertificateAnnotation}=${Date.now()}`,
    );
    const { value: after } = await pollUntil(
      'the edge serving the new certificate',
      async () => {
        const now = await edgeCertificate();
        return now !== before ? now : undefined;
      },
      120_000,
    );
    // The pods read the new files from their Secret volume (the kubelet swaps them), with no
    // restart: the same pods, each serving the new certificate and counting one reload.
    await pollUntil(
      'every pod serving the new certificate',
      async () => {
        for (const pod of pods) if ((await podCertificate(pod.ip)) !== after) return undefined;
        return true;
      },
      120_000,
    );
    assert.deepEqual(
      (await serverPods()).map((pod) => pod.name),
      pods.map((pod) => pod.name),
      'no pod was replaced',
    );
    for (const pod of pods) {
      const reloads = sumSamples(await podMetrics(pod.ip), 'tandem_tls_certificate_reloads_total{');
      assert.ok(reloads >= 1, `${pod.name} reloaded its certificate (${reloads})`);
    }
    await customer.locator('#add-item').click();
    await expectInSync('after the certificate rotation');
    watching = false;
    await watch;
    assert.notEqual(after, before);
    const dropped = states.filter((state) => state !== 'active/connected');
    assert.deepEqual(
      dropped,
      [],
      `the sessions stayed up through the rotation: ${states.join(' ')}`,
    );
  });

  it("lets the servers reach Redis and refuses a pod that is not one of them (the operator's NetworkPolicy)", async () => {
    const redisHost = `${name}-redis.${namespace}.svc.cluster.local`;
    // The servers are Ready, and their /readyz asks Redis: they reach it.
    assert.equal((await client.readyPods(name)).length, 3);
    const outsider = { app: 'outsider' };
    // The control: the same pod reaches the servers (their policy lets HTTPS in from anywhere).
    const servers = `${name}.${namespace}.svc.cluster.local`;
    assert.equal(await runProbePod('outsider-to-servers', outsider, servers, 443), 'connected');
    assert.equal(
      await runProbePod('outsider-to-redis', outsider, redisHost, 6379),
      'refused',
      'a pod without the server labels cannot reach Redis',
    );
    // And the policy is what refuses it: the same pod with the servers' labels gets through.
    // (Without the ReplicaSet's pod-template-hash label, no ReplicaSet adopts it.)
    const serverLabels = {
      'app.kubernetes.io/name': 'tandem',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/component': 'server',
    };
    assert.equal(await runProbePod('insider-to-redis', serverLabels, redisHost, 6379), 'connected');
    await client.core.deleteNamespacedPod({ name: 'insider-to-redis', namespace });
  });

  it('moves to the Gateway API: an HTTPRoute and a BackendTLSPolicy replace the Ingress, and agents come in through it', async () => {
    // The admin's Gateway: HTTPS for the host, with the cluster's certificate.
    await client.custom.createNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace,
      plural: 'gateways',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'edge' },
        spec: {
          gatewayClassName: edgeClass,
          listeners: [
            {
              name: 'https',
              protocol: 'HTTPS',
              port: 443,
              hostname: host,
              tls: {
                mode: 'Terminate',
                certificateRefs: [{ kind: 'Secret', name: `${name}-tls` }],
              },
            },
          ],
        },
      },
    });
    node.kubectl(
      '-n',
      namespace,
      'patch',
      `cobrowsecluster/${name}`,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { ingress: { enabled: false }, gateway: { name: 'edge' } } }),
    );
    // Were the switch to change the servers' config, the pods would roll: let any rollout finish
    // before anyone joins.
    node.kubectl('-n', namespace, 'rollout', 'status', `deployment/${name}`, '--timeout=240s');
    await pollUntil(
      'Traefik to accept the HTTPRoute and resolve its backend',
      async () =>
        holds(await edgeConditions('httproutes'), 'Accepted', 'ResolvedRefs') || undefined,
      60_000,
    );
    await pollUntil(
      'Traefik to accept the BackendTLSPolicy (HTTPS to the pods, checked against their CA)',
      async () => holds(await edgeConditions('backendtlspolicies'), 'Accepted') || undefined,
      60_000,
    );
    await pollUntil(
      'the Ingress pruned',
      async () =>
        node.kubectl('-n', namespace, 'get', 'ingress', '-o', 'name').trim() === ''
          ? true
          : undefined,
      60_000,
    );
    // Through the route, the edge checks the pods' certificate against the CA the operator
    // published (the BackendTLSPolicy), and an agent joins the customer's session.
    const { value: health } = await pollUntil(
      'the host answering through the Gateway',
      async () => {
        const answer = await edgeGet('/healthz').catch(() => undefined);
        return answer?.status === 200 ? answer : undefined;
      },
      60_000,
    );
    assert.equal(health.status, 200);
    // The Ingress's router went with the Ingress, and the sockets through it: both sides come
    // back through the route, into the same session.
    await pollUntil(
      'the customer active again, through the route',
      async () => ((await customerState()) === 'active' ? true : undefined),
      60_000,
    );
    const second = await (await contextFor()).newPage();
    const token = await mintTestToken({ name: 'Lin', secret: agentSecret });
    await second.goto(consoleUrl(origin, code, token, 'Lin'));
    await pollUntil(
      'the second agent connected through the Gateway',
      async () => ((await agentState(second)) === 'connected' ? true : undefined),
      30_000,
    ).catch(async (error: unknown) => {
      const shown = await second.locator('#state').textContent();
      throw new Error(`${String(error)}; the console is ${await agentState(second)}: ${shown}`);
    });
    agent = second;
    await customer.locator('#add-item').click();
    await expectInSync('through the Gateway API route');
  });

  /** What the edge wrote on the operator's route (its parents) or policy (its ancestors). */
  async function edgeConditions(plural: 'httproutes' | 'backendtlspolicies'): Promise<Conditions> {
    const object = (await client.custom
      .getNamespacedCustomObject({
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        namespace,
        plural,
        name,
      })
      .catch(() => undefined)) as EdgeStatus | undefined;
    const status = object?.status;
    return (status?.parents ?? status?.ancestors ?? [])[0]?.conditions ?? [];
  }

  /** The Ready server pods, with their addresses. */
  async function serverPods(): Promise<{ name: string; ip: string }[]> {
    return (await client.readyServerPods(name))
      .filter((pod) => pod.status?.podIP)
      .map((pod) => ({ name: pod.metadata!.name!, ip: pod.status!.podIP! }));
  }

  /**
   * Runs a pod (the server image's Node) that opens a TCP connection to Redis; returns
   * `connected` or `refused` from its exit code. DNS failures count as failures of the test.
   */
  async function runProbePod(
    podName: string,
    labels: Record<string, string>,
    target: string,
    port: number,
  ): Promise<'connected' | 'refused'> {
    // It tries for 15 s: kube-router lets a new pod's address in a moment after the pod starts,
    // so a refusal counts only once the policy has had time to admit it.
    const script = `
      const dns = require('node:dns'); const net = require('node:net');
      const deadline = Date.now() + 15000;
      dns.lookup(${JSON.stringify(target)}, (error, address) => {
        if (error) { console.error('dns', error.code); process.exit(3); }
        const attempt = () => {
          if (Date.now() > deadline) process.exit(1);
          const socket = net.connect(${port}, address);
          socket.setTimeout(2000, () => { socket.destroy(); attempt(); });
          socket.on('connect', () => process.exit(0));
          socket.on('error', () => setTimeout(attempt, 500));
        };
        attempt();
      });`;
    await client.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: podName, labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'probe',
              image: images.server,
              imagePullPolicy: 'Never',
              command: ['/usr/local/bin/node', '-e', script],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    });
    const { value: code } = await pollUntil(
      `the ${podName} pod to finish`,
      async () => {
        const pod = await client.core.readNamespacedPod({ name: podName, namespace });
        return pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
      },
      90_000,
    );
    assert.notEqual(code, 3, `the ${podName} pod resolved ${target}`);
    return code === 0 ? 'connected' : 'refused';
  }
});

/** One GET to the edge for the public host (the test resolves it, as the browser does). */
function edgeGet(path: string, cookie?: string): Promise<{ status: number; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: nodeIp,
        port: 443,
        servername: host,
        path,
        headers: { host, ...(cookie ? { cookie } : {}) },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [] });
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** The serial number of the certificate the edge serves for the public host. */
function edgeCertificate(): Promise<string> {
  return certificateAt(nodeIp, 443);
}

function certificateAt(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: address, port, servername: host, rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerCertificate().serialNumber);
        socket.end();
      },
    );
    socket.once('error', reject);
  });
}

type Conditions = { type: string; status: string }[];

interface EdgeStatus {
  status?: { parents?: { conditions?: Conditions }[]; ancestors?: { conditions?: Conditions }[] };
}

function holds(conditions: Conditions, ...types: string[]): boolean {
  return types.every((type) => conditions.some((c) => c.type === type && c.status === 'True'));
}

/** The serial of the certificate a server pod serves itself (its own port, by its address). */
function podCertificate(ip: string): Promise<string> {
  return certificateAt(ip, ports.https);
}

/** A pod's Prometheus text (the test runs on the node, which the metrics policy lets in). */
function podMetrics(ip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      { host: ip, port: ports.metrics, path: '/metrics', agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`no metrics from ${ip}`)));
    req.once('error', reject);
  });
}
