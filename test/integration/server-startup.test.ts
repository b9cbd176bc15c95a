/** A node process as an operator meets it: config refusal, HTTPS defaults, routes and headers. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type SecureVersion } from 'node:tls';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from '../support/certificates.ts';
import { startServer, type RunningServer } from '../support/server.ts';

const MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const running: RunningServer[] = [];
after(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

async function start(overrides: Record<string, unknown> = {}): Promise<RunningServer> {
  const server = await startServer(overrides);
  running.push(server);
  return server;
}

/** The leaf certificate a TLS handshake presents, or the handshake's error. */
function handshake(
  url: string,
  maxVersion: SecureVersion = 'TLSv1.3',
): Promise<{ cert: string; protocol: string } | Error> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(
      {
        host: hostname,
        port: Number(port),
        servername: 'localhost',
        rejectUnauthorized: false,
        maxVersion,
        minVersion: 'TLSv1',
      },
      () => {
        const raw = socket.getPeerX509Certificate();
        resolve({ cert: raw?.fingerprint256 ?? '', protocol: socket.getProtocol() ?? '' });
        socket.end();
      },
    );
    socket.on('error', resolve);
  });
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('start-up', () => {
  it('refuses an invalid config and names every bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-bad-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'server:\n  port: 99999\ntls:\n  minVersion: SSLv3\nsesion: {}\n');
    const result = spawnSync(process.execPath, [MAIN, '--config', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 2);
    for (const path of ['server.port', 'tls.minVersion', 'sesion'])
      assert.match(result.stderr, new RegExp(`invalid config: ${path.replace('.', '\\.')}`));
    assert.match(result.stderr, /refusing to start/);
  });

  it('serves HTTPS out of the box with a self-signed certificate it keeps and reuses', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tandem-data-'));
    const first = await start({ server: { dataDir } });
    const a = await handshake(first.url);
    assert.ok(!(a instanceof Error));
    const stored = new X509Certificate(await readFile(join(dataDir, 'tls', 'self-signed.crt')));
    assert.equal(a.cert, stored.fingerprint256);
    await first.stop();
    const second = await start({ server: { dataDir } });
    const b = await handshake(second.url);
    assert.ok(!(b instanceof Error));
    assert.equal(b.cert, a.cert);
  });

  it('refuses TLS below 1.2 and can be held to 1.3', async () => {
    const server = await start();
    assert.ok((await handshake(server.url, 'TLSv1.1')) instanceof Error);
    const ok = await handshake(server.url, 'TLSv1.2');
    assert.ok(!(ok instanceof Error) && ok.protocol === 'TLSv1.2');
    const strict = await start({ tls: { minVersion: 'TLSv1.3' } });
    assert.ok((await handshake(strict.url, 'TLSv1.2')) instanceof Error);
  });

  it('uses a configured certificate and key instead of generating one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-cert-'));
    const pair = makeCertificate(dir, 'configured.test', 'DNS:configured.test');
    const server = await start({
      tls: { certFile: pair.cert, keyFile: pair.key },
    });
    const shown = await handshake(server.url);
    assert.ok(!(shown instanceof Error));
    assert.equal(shown.cert, new X509Certificate(await readFile(pair.cert)).fingerprint256);
  });

  it('speaks plain HTTP only when told to', async () => {
    const server = await start({ tls: { enabled: false } });
    assert.match(server.url, /^http:/);
    const health = await fetch(`${server.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal(health.headers.get('strict-transport-security'), null);
  });
});

describe('routes and headers', () => {
  let server: RunningServer;
  it('starts', async () => {
    server = await start();
  });

  it('serves the snippet so that any site may load it', async () => {
    const res = await get(`${server.url}/tandem.js`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('serves the agent console under a CSP that allows only its own script', async () => {
    const res = await get(`${server.url}/agent/`);
    assert.equal(res.status, 200);
    assert.match(res.body, /<html/i);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(String(res.headers['strict-transport-security']), /max-age=/);
  });

  it('serves the page frame under a CSP with no script at all', async () => {
    const res = await get(`${server.url}/agent/frame.html`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-security-policy']), /script-src 'none'/);
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  });

  it('serves the demo shop and health checks', async () => {
    assert.equal((await get(`${server.url}/demo/`)).status, 200);
    assert.equal((await get(`${server.url}/healthz`)).status, 200);
    assert.equal((await get(`${server.url}/readyz`)).status, 200);
  });

  it('answers 404 for paths outside the served folders, however spelled', async () => {
    for (const path of [
      '/demo/..%2f..%2fpackage.json',
      '/demo/%2e%2e/%2e%2e/main.js',
      '/agent/..%2fmain.js',
      '/demo/%00',
      '/nothing',
      '/demo/../../package.json',
    ]) {
      const res = await get(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /"name"|import /, path);
    }
  });

  it('refuses methods it does not serve', async () => {
    assert.equal((await get(`${server.url}/demo/`, 'POST')).status, 405);
    assert.equal((await get(`${server.url}/agent/`, 'DELETE')).status, 405);
  });
});
