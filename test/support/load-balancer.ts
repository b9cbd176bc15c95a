/**
 * A real load balancer in front of several Tandem nodes, as the ingress would be: Debian's
 * HAProxy terminating TLS, routing by a cookie (`TANDEMNODE`) for affinity, health-checking each
 * node's `/readyz`, and sending a client whose node is gone to another one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate } from './certificates.ts';
import { freePort } from './redis.ts';
import { waitFor } from './wait.ts';

export interface Backend {
  name: string;
  /** `host:port` of the node's plain-HTTP listener. */
  address: string;
}

export interface RunningBalancer {
  url: string;
  /** The affinity cookie's name; set it to a backend's name to pin a browser to that node. */
  cookie: string;
  stop(): Promise<void>;
}

const HAPROXY =
  ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find(
    (p) => spawnSync('test', ['-x', p]).status === 0,
  ) ?? 'haproxy';

function config(port: number, pem: string, backends: readonly Backend[]): string {
  return `global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  option redispatch
  retries 2
frontend tandem
  bind 127.0.0.1:${port} ssl crt ${pem}
  http-request set-header X-Forwarded-Proto https
  option forwardfor
  default_backend nodes
backend nodes
  balance roundrobin
  cookie TANDEMNODE insert indirect nocache
  option httpchk GET /readyz
  default-server inter 300ms fall 1 rise 2
${backends.map((b) => `  server ${b.name} ${b.address} check cookie ${b.name}`).join('\n')}
`;
}

export async function startLoadBalancer(
  backends: readonly Backend[],
  { port: chosenPort }: { port?: number } = {},
): Promise<RunningBalancer> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-lb-'));
  const { cert, key } = makeCertificate(dir, 'localhost');
  const pem = join(dir, 'tandem.pem');
  await writeFile(pem, (await readFile(cert, 'utf8')) + (await readFile(key, 'utf8')));
  const port = chosenPort ?? (await freePort());
  const cfg = join(dir, 'haproxy.cfg');
  await writeFile(cfg, config(port, pem, backends));
  const check = spawnSync(HAPROXY, ['-c', '-f', cfg], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy config refused: ${check.stdout}${check.stderr}`);
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: 'ignore' });
  const url = `https://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      const { connect } = await import('node:net');
      return new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    },
    'haproxy listening',
    10_000,
    50,
  );
  return {
    url,
    cookie: 'TANDEMNODE',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
