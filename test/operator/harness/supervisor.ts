/**
 * The process that owns one control plane: `node --import tsx supervisor.ts <runDir> <ownerPid>`.
 *
 * Started detached by `startControlPlane()` (or `make cluster-up`), it boots the plane, writes
 * `<runDir>/state.json` for the processes that use it, and tears everything down when
 *   - the owner process is gone (checked twice a second; owner 0 means "until told to stop"),
 *   - it gets SIGTERM, SIGINT or SIGHUP (`make cluster-down`), or
 *   - it crashes (and if it is SIGKILLed, the kernel kills its children: see processes.ts).
 */
import { rmSync } from 'node:fs';
import { bootControlPlane, stopComponents } from './boot.ts';
import type { RunningComponent } from './processes.ts';
import { isAlive, writeState } from './state.ts';

const [runDir, ownerArg] = process.argv.slice(2);
if (runDir === undefined) {
  process.stderr.write('usage: supervisor.ts <runDir> [ownerPid]\n');
  process.exit(2);
}
const ownerPid = Number(ownerArg ?? 0);
// Test runs clean up after themselves; `make cluster-up` keeps its folder for the next up.
const removeRunDir = ownerPid !== 0 && process.env['TESTBED_KEEP'] !== '1';
const supervisorPid = process.pid;

// Every process started so far, in start order, so that a stop during boot stops them too.
const components: RunningComponent[] = [];
let stopping: Promise<void> | undefined;

function log(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

function stop(reason: string, code: number): Promise<void> {
  stopping ??= (async () => {
    log('stopping', { reason });
    if (code !== 0) {
      writeState(runDir as string, { status: 'failed', supervisorPid, ownerPid, error: reason });
    }
    await stopComponents(components);
    // A failed plane keeps its folder: the logs under logs/ tell why.
    if (removeRunDir && code === 0) rmSync(runDir as string, { recursive: true, force: true });
    log('stopped');
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => void stop(signal, 0));
}
process.on('uncaughtException', (error) => {
  log('crashed', { error: String(error) });
  void stop('crash', 1);
});

if (ownerPid !== 0) {
  setInterval(() => {
    if (!isAlive(ownerPid)) void stop(`owner ${ownerPid} exited`, 0);
  }, 500);
}

writeState(runDir, { status: 'starting', supervisorPid, ownerPid });
const started = Date.now();
try {
  const plane = await bootControlPlane(runDir, {
    onComponent: (component) => components.push(component),
    onStep: (step, elapsedMs) => log('step', { step, elapsedMs }),
  });
  if (!stopping) {
    const startedInMs = Date.now() - started;
    writeState(runDir, {
      status: 'ready',
      supervisorPid,
      ownerPid,
      kubeconfig: plane.kubeconfig,
      server: plane.server,
      startedInMs,
    });
    log('ready', { server: plane.server, kubeconfig: plane.kubeconfig, startedInMs });
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (stopping) await stopping; // stopped on purpose mid-boot: stop() exits
  log('failed', { error: message });
  writeState(runDir, { status: 'failed', supervisorPid, ownerPid, error: message });
  process.exit(1);
}

// A component that dies on its own leaves a broken plane: stop the rest, tests then fail clearly.
for (const component of components) {
  void component.exited.then(() => {
    if (!stopping) void stop(`${component.name} exited`, 1);
  });
}
