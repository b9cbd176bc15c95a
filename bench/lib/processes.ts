/**
 * Server processes under test: every one (Tandem's nodes, the baselines, Redis) is pinned to the
 * server core with `taskset`, while the load generator runs on the other; each Node process gets
 * the same probe preloaded (see probe.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));

export interface Pinning {
  /** CPU list for servers (`taskset -c`), or null to leave them unpinned. */
  server: string | null;
  /** CPU list the generator runs on, for the report. */
  generator: string | null;
}

/** Servers on core 0 and the generator on core 1 when there are two cores and taskset exists. */
export function choosePinning(): Pinning {
  const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!hasTaskset || availableParallelism() < 2) return { server: null, generator: null };
  return { server: '0', generator: '1' };
}

/** Pins the calling process (the generator) to its core. */
export function pinSelf(pinning: Pinning): void {
  if (pinning.generator === null) return;
  spawnSync('taskset', ['-a', '-p', '-c', pinning.generator, String(process.pid)], {
    stdio: 'ignore',
  });
}

export interface ServerStats {
  heapUsed: number;
  rss: number;
  cpuMicros: number;
}

export interface ServerProcess {
  /** What the server printed when it was ready (its URL). */
  url: string;
  child: ChildProcess;
  stats(gc: boolean): Promise<ServerStats>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  /** Arguments after `node`: a script and its flags. */
  args: string[];
  /** Extra node flags (before the script). */
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
  pinning: Pinning;
  /** Picks the server's URL out of a stdout line; the process is ready when it returns one. */
  readyUrl: (line: string) => string | undefined;
  timeoutMs?: number;
}

export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const nodeArgs = [
    '--expose-gc',
    '--import',
    'tsx',
    '--import',
    PROBE,
    ...(options.nodeFlags ?? []),
    ...options.args,
  ];
  const [command, args] =
    options.pinning.server === null
      ? [process.execPath, nodeArgs]
      : ['taskset', ['-c', options.pinning.server, process.execPath, ...nodeArgs]];
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`server did not start: ${stderr.slice(-2000)}`)),
      options.timeoutMs ?? 20_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const found = options.readyUrl(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      }
      if (buffer.length > 1 << 16) buffer = '';
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
  return {
    url,
    child,
    stats(gc) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('probe did not answer')), 10_000);
        const onMessage = (message: unknown): void => {
          const m = message as Partial<ServerStats> & { probe?: string };
          if (m.probe !== 'stats') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve({ heapUsed: m.heapUsed ?? 0, rss: m.rss ?? 0, cpuMicros: m.cpuMicros ?? 0 });
        };
        child.on('message', onMessage);
        child.send({ probe: 'stats', gc });
      });
    },
    // A profiled process must exit on its own for V8 to write the profile.
    async stop(signal: NodeJS.Signals = process.env.BENCH_CPU_PROF_DIR ? 'SIGTERM' : 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The generator's own CPU use as a share of one core, between two calls. */
export function cpuMeter(): () => number {
  let lastCpu = process.cpuUsage();
  let lastWall = performance.now();
  return () => {
    const cpu = process.cpuUsage(lastCpu);
    const wall = performance.now() - lastWall;
    lastCpu = process.cpuUsage();
    lastWall = performance.now();
    return wall > 0 ? (cpu.user + cpu.system) / 1000 / wall : 0;
  };
}
