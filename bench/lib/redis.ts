/** Debian's redis-server on a private loopback port, pinned with the servers, no persistence. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import type { Pinning } from './processes.ts';

export interface BenchRedis {
  url: string;
  port: number;
  /** Empties every key between contenders, so none starts with another's state. */
  flush(): Promise<void>;
  stop(): Promise<void>;
  /** Kills it and starts it again on the same port (the resilience scenario). */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function command(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(line));
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', () => resolve(''));
  });
}

export async function startBenchRedis(pinning: Pinning): Promise<BenchRedis> {
  const port = await freePort();
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    child =
      pinning.server === null
        ? spawn('redis-server', args, { stdio: 'ignore' })
        : spawn('taskset', ['-c', pinning.server, 'redis-server', ...args], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await command(port, 'PING\r\n')).startsWith('+PONG')) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async flush() {
      await command(port, 'FLUSHALL\r\n');
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}
