/**
 * Debian's tinyproxy as a real forward proxy for tests: started in the foreground on a free
 * loopback port with its own config and log file, stopped (only it) afterwards. Its log lists
 * each request it relayed (`GET http://...`, `CONNECT host:port`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TinyProxy {
  url: string;
  port: number;
  /** Everything tinyproxy logged so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface TinyProxyOptions {
  /** Ports CONNECT may reach besides 443. */
  connectPorts?: number[];
  /** Require these Basic credentials. */
  basicAuth?: { username: string; password: string };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startTinyProxy(options: TinyProxyOptions = {}): Promise<TinyProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 30',
    `LogFile "${logFile}"`,
    'LogLevel Info',
    'MaxClients 50',
    'Allow 127.0.0.1',
    'ConnectPort 443',
    ...(options.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
    ...(options.basicAuth
      ? [`BasicAuth ${options.basicAuth.username} ${options.basicAuth.password}`]
      : []),
  ].join('\n');
  const configFile = join(dir, 'tinyproxy.conf');
  await writeFile(configFile, `${config}\n`);
  // In the foreground (-d) tinyproxy writes its log to stdout as well; keep it in the log file.
  const child = spawn('tinyproxy', ['-d', '-c', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 5000);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async log() {
      const file = await readFile(logFile, 'utf8').catch(() => '');
      return `${file}\n${output}`;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
