/**
 * `make cluster-up` / `make cluster-down`: the tests' control plane, kept running for a person.
 * Usage: node --import tsx test/operator/harness/cluster-cli.ts up|down|status
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './kube.ts';
import { repoRoot, resolveTestbedPaths } from './paths.ts';
import { delay } from './processes.ts';
import { isAlive, readState } from './state.ts';

const paths = resolveTestbedPaths();
const runDir = join(paths.cache, 'cluster');
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function up(): Promise<number> {
  const current = readState(runDir);
  if (current?.status === 'ready' && isAlive(current.supervisorPid)) {
    printReady(current.kubeconfig, current.server, 'already running');
    return 0;
  }
  if (current !== undefined && isAlive(current.supervisorPid)) {
    say(`a control plane is starting or stopping (pid ${current.supervisorPid}); try again soon`);
    return 1;
  }
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const out = openSync(join(runDir, 'supervisor.log'), 'a');
  try {
    // Owner 0: it runs until `make cluster-down`.
    spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/operator/harness/supervisor.ts'), runDir, '0'],
      {
        cwd: repoRoot,
        detached: true,
        stdio: ['ignore', out, out],
      },
    ).unref();
  } finally {
    closeSync(out);
  }
  say('starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok ...');
  for (;;) {
    const state = readState(runDir);
    if (state?.status === 'ready') {
      printReady(state.kubeconfig, state.server, `started in ${state.startedInMs} ms`);
      return 0;
    }
    if (state?.status === 'failed' || (state !== undefined && !isAlive(state.supervisorPid))) {
      say(`failed: ${state.status === 'failed' ? state.error : 'supervisor died'}`);
      say(`logs: ${join(runDir, 'logs')} and ${join(runDir, 'supervisor.log')}`);
      return 1;
    }
    await delay(200);
  }
}

function printReady(kubeconfig: string, server: string, note: string): void {
  say(`control plane ready at ${server} (${note})`);
  say(`kubeconfig: ${kubeconfig}`);
  say(`try:  export KUBECONFIG=${kubeconfig} PATH=${join(paths.cache, 'bin')}:$PATH`);
  say('      kubectl get nodes');
  say(`logs: ${join(runDir, 'logs')}`);
  say('stop: make cluster-down');
}

async function down(): Promise<number> {
  const state = readState(runDir);
  if (state === undefined || !isAlive(state.supervisorPid)) {
    say('no control plane is running');
    return 0;
  }
  process.kill(state.supervisorPid, 'SIGTERM');
  await waitFor('the control plane to stop', () => !isAlive(state.supervisorPid), {
    timeoutMs: 30_000,
  });
  say('control plane stopped');
  return 0;
}

function status(): number {
  const state = readState(runDir);
  if (state === undefined || !isAlive(state.supervisorPid)) {
    say('no control plane is running');
    return 1;
  }
  say(
    state.status === 'ready'
      ? `ready: ${state.server}, kubeconfig ${state.kubeconfig}`
      : state.status,
  );
  return 0;
}

const command = process.argv[2];
const run =
  command === 'up' ? up : command === 'down' ? down : command === 'status' ? status : undefined;
if (run === undefined) {
  say('usage: cluster-cli.ts up|down|status');
  process.exit(2);
}
process.exit(await run());
