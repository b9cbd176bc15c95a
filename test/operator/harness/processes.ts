import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ComponentProcess } from './components.ts';

/** A started component. `exited` settles when the process is gone. */
export interface RunningComponent {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<void>;
  hasExited(): boolean;
}

/** Client TLS material for probing the https health endpoints. */
export interface ProbeTls {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Asks the kernel for `count` distinct free loopback ports. */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (address === null || typeof address === 'string') reject(new Error('no port'));
              else resolve(address.port);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/**
 * Starts a component in its own process group, output to `<logDir>/<name>.log`. `setpriv
 * --pdeathsig KILL` makes the kernel kill it if the process that spawned it dies, even by
 * SIGKILL, so a crashed supervisor leaves no stray etcd or API server behind.
 */
export function startComponent(spec: ComponentProcess, logDir: string): RunningComponent {
  const logFile = join(logDir, `${spec.name}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      gone = true;
      resolve();
    });
    child.once('error', () => {
      gone = true;
      resolve();
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  return { name: spec.name, pid: child.pid, logFile, exited, hasExited: () => gone };
}

/** Stops a component's whole process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopComponent(component: RunningComponent, graceMs = 5000): Promise<void> {
  if (component.hasExited()) return;
  signalGroup(component.pid, 'SIGTERM');
  const timer = delay(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([component.exited.then(() => 'exited' as const), timer])) === 'timeout') {
    signalGroup(component.pid, 'SIGKILL');
    await component.exited;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The last lines of a component's log, to explain a failure. */
export function tailLog(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** One GET; resolves to the status code, or 0 when nothing answered. */
export function probe(url: string, tls?: ProbeTls): Promise<number> {
  return new Promise((resolve) => {
    const options: RequestOptions = { method: 'GET', timeout: 2000 };
    if (url.startsWith('https:')) {
      // The controller manager and scheduler serve self-signed certificates of their own.
      Object.assign(options, tls ? { ...tls, rejectUnauthorized: false } : {});
    }
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}

/** Polls a component's health URL until 200; fails fast, with its log, if it exits. */
export async function waitHealthy(
  component: RunningComponent,
  url: string,
  options: { timeoutMs: number; tls?: ProbeTls },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (component.hasExited()) {
      throw new Error(`${component.name} exited while starting:\n${tailLog(component.logFile)}`);
    }
    if ((await probe(url, options.tls)) === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${component.name} not healthy at ${url} after ${options.timeoutMs} ms:\n` +
          tailLog(component.logFile),
      );
    }
    await delay(200);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
