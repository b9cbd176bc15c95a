import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { loadKubeConfig, waitFor } from './kube.ts';
import { repoRoot } from './paths.ts';
import { delay } from './processes.ts';
import { isAlive, readState, type PlaneState } from './state.ts';

/** A running control plane, as a test sees it. */
export interface ControlPlane {
  /** Path of an admin (system:masters) kubeconfig; give it to the operator, kubectl or helm. */
  readonly kubeconfigPath: string;
  /** The API server's URL, `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** A client-node `KubeConfig` loaded from `kubeconfigPath`. */
  readonly kubeConfig: KubeConfig;
  /** Folder of the plane's files; components log to `<runDir>/logs/<name>.log`. */
  readonly runDir: string;
  /**
   * Creates a fresh namespace named `<prefix>-<random>` and waits for its `default` service
   * account (pods are refused before it exists). {@link release} deletes it.
   */
  createNamespace(prefix?: string): Promise<string>;
  /** Deletes this process's namespaces; if this process owns the plane, stops it too. */
  release(): Promise<void>;
}

const supervisorScript = join(repoRoot, 'test/operator/harness/supervisor.ts');
const runsDir = join(tmpdir(), 'tandem-testbed');
const startTimeoutMs = 180_000;
let shared: Promise<ControlPlane> | undefined;

/**
 * Returns the control plane of this test run, starting it on first use.
 *
 * Sharing: node's test runner runs each test file in a child process, so the plane belongs to the
 * runner, the parent of every file's process (`NODE_TEST_CONTEXT` tells we are such a child). The
 * first file to ask creates `<tmp>/tandem-testbed/run-<runnerPid>-<runnerStartTime>/` atomically
 * (mkdir) and starts a detached supervisor that boots the plane; later files find its state file
 * and reuse it. The supervisor stops the plane within a second of the runner exiting, however the
 * run ends. Run outside the test runner, the plane belongs to this process instead.
 */
export function startControlPlane(): Promise<ControlPlane> {
  shared ??= attach();
  return shared;
}

/**
 * For node:test files: starts (or joins) the plane in `before`, releases it in `after`, and returns
 * a getter to call inside tests.
 */
export function useControlPlane(): () => ControlPlane {
  let plane: ControlPlane | undefined;
  before(async () => {
    plane = await startControlPlane();
  });
  after(async () => {
    await plane?.release();
  });
  return () => {
    if (plane === undefined)
      throw new Error('the control plane is not started (used outside a test?)');
    return plane;
  };
}

async function attach(): Promise<ControlPlane> {
  const underRunner = process.env['NODE_TEST_CONTEXT'] !== undefined;
  const ownerPid = underRunner ? process.ppid : process.pid;
  mkdirSync(runsDir, { recursive: true });
  removeStaleRuns();
  const runDir = join(runsDir, `run-${ownerPid}-${startTimeOf(ownerPid)}`);
  for (;;) {
    try {
      mkdirSync(runDir);
      spawnSupervisor(runDir, ownerPid);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // Someone else started it; if that supervisor died before saying anything, start over.
    const state = await waitForAnyState(runDir, 15_000);
    if (state !== undefined) break;
    rmSync(runDir, { recursive: true, force: true });
  }
  const state = await waitForReady(runDir);
  const kubeConfig = loadKubeConfig(state.kubeconfig);
  if (ownerPid === process.pid) {
    process.once('exit', () => signal(state.supervisorPid, 'SIGTERM'));
  }
  return makeHandle(runDir, state, kubeConfig, ownerPid === process.pid);
}

function spawnSupervisor(runDir: string, ownerPid: number): void {
  const out = openSync(join(runDir, 'supervisor.log'), 'a');
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  try {
    spawn(process.execPath, ['--import', 'tsx', supervisorScript, runDir, String(ownerPid)], {
      cwd: repoRoot,
      detached: true,
      env,
      stdio: ['ignore', out, out],
    }).unref();
  } finally {
    closeSync(out);
  }
}

async function waitForAnyState(runDir: string, timeoutMs: number): Promise<PlaneState | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = readState(runDir);
    if (state !== undefined) return state;
    await delay(100);
  }
  return undefined;
}

type ReadyState = Extract<PlaneState, { status: 'ready' }>;

async function waitForReady(runDir: string): Promise<ReadyState> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    const state = readState(runDir);
    if (state?.status === 'failed') {
      throw new Error(`the control plane failed to start: ${state.error}\n(logs in ${runDir})`);
    }
    if (state !== undefined && !isAlive(state.supervisorPid)) {
      const log = readFileSync(join(runDir, 'supervisor.log'), 'utf8').slice(-3000);
      throw new Error(`the control plane's supervisor is gone (see ${runDir}):\n${log}`);
    }
    if (state?.status === 'ready') return state;
    if (Date.now() > deadline) {
      throw new Error(`the control plane was not ready after ${startTimeoutMs} ms (see ${runDir})`);
    }
    await delay(100);
  }
}

function makeHandle(
  runDir: string,
  state: ReadyState,
  kubeConfig: KubeConfig,
  owned: boolean,
): ControlPlane {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespaces: string[] = [];
  return {
    kubeconfigPath: state.kubeconfig,
    server: state.server,
    kubeConfig,
    runDir,
    async createNamespace(prefix = 'test') {
      const slug = prefix
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^-+|-+$/g, '');
      const name = `${slug.slice(0, 50) || 'test'}-${randomBytes(3).toString('hex')}`;
      await core.createNamespace({
        body: { metadata: { name, labels: { 'tandem.test/harness': 'true' } } },
      });
      namespaces.push(name);
      await waitFor(`service account default in ${name}`, () =>
        core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
      );
      return name;
    },
    async release() {
      const names = namespaces.splice(0);
      await Promise.allSettled(names.map((name) => core.deleteNamespace({ name })));
      if (owned) {
        signal(state.supervisorPid, 'SIGTERM');
        await waitFor('the control plane to stop', () => !isAlive(state.supervisorPid), {
          timeoutMs: 30_000,
        });
      }
    },
  };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** The process's start time in clock ticks since boot; with the pid it names one process life. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '0';
  } catch {
    return '0';
  }
}

/** Removes run folders whose owner and supervisor are both gone (failed or killed runs). */
function removeStaleRuns(): void {
  for (const entry of readdirSync(runsDir)) {
    const match = /^run-(\d+)-(\d+)$/.exec(entry);
    if (!match) continue;
    const [, pid = '0', start] = match;
    const ownerGone = !isAlive(Number(pid)) || startTimeOf(Number(pid)) !== start;
    const state = readState(join(runsDir, entry));
    if (ownerGone && (state === undefined || !isAlive(state.supervisorPid))) {
      rmSync(join(runsDir, entry), { recursive: true, force: true });
    }
  }
}
