/**
 * Outgoing fetches through a real forward proxy (Debian's tinyproxy, with Basic credentials), as
 * in a DMZ: http resources in absolute form, https ones through CONNECT with TLS to the CDN's
 * name; the proxy's own log shows every upstream fetch, and hosts in `noProxy` go direct.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSigner } from '../../server/src/proxy/signing.ts';
import { loadOrCreateSelfSigned } from '../../server/src/tls/credentials.ts';
import { startCustomerSession, type CustomerSession } from '../support/customer-session.ts';
import { makePng, startOrigin, type Origin } from '../support/origins.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { startTinyProxy, type TinyProxy } from '../support/tinyproxy.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const KEY = 'forward-proxy-test-signing-key-0123456789';
const signer = createSigner({ key: Buffer.from(KEY), ttlMs: 3_600_000 });
const PNG = makePng(3, 3, [10, 200, 10]);
const FONT = await readFile(new URL('../../server/web/demo/tandem-pixel.ttf', import.meta.url));

let dir: string;
let proxy: TinyProxy;
let cdnHttp: Origin;
let cdnHttps: Origin;
let shop: Origin;
let server: RunningServer;
let session: CustomerSession;

async function startNode(password: string): Promise<RunningServer> {
  return startServer(
    {
      'cross-origin': { allowedOrigins: [`http://shop.test:${shop.port}`] },
      'http-proxy': {
        allowedExternalDomains: ['cdn.test'],
        allowedPorts: [cdnHttp.port, cdnHttps.port, shop.port],
        signingKey: KEY,
      },
      'forward-proxy': { url: proxy.url, username: 'tandem', password, noProxy: ['shop.test'] },
    },
    {
      TANDEM_TEST_ALLOW_LOOPBACK_ORIGINS: '127.0.0.2,127.0.0.3',
      TANDEM_TEST_RESOLVER: 'shop.test=127.0.0.2,cdn.test=127.0.0.3',
      // The https CDN's self-signed certificate, trusted the ordinary way.
      NODE_EXTRA_CA_CERTS: join(dir, 'cdn.crt'),
    },
  );
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-forward-'));
  const tls = await loadOrCreateSelfSigned(dir, ['cdn.test']);
  await writeFile(join(dir, 'cdn.crt'), tls.cert);
  cdnHttps = await startOrigin(
    '127.0.0.3',
    {
      '/img/logo.png': { headers: { 'content-type': 'image/png' }, body: PNG },
      '/fonts/pixel.ttf': { headers: { 'content-type': 'font/ttf' }, body: FONT },
    },
    { tls: { cert: tls.cert, key: tls.key } },
  );
  cdnHttp = await startOrigin('127.0.0.3', {
    '/css/site.css': {
      headers: { 'content-type': 'text/css' },
      body: `@font-face { font-family: P; src: url(https://cdn.test:${cdnHttps.port}/fonts/pixel.ttf) }
.logo { background: url("https://cdn.test:${cdnHttps.port}/img/logo.png") }`,
    },
  });
  shop = await startOrigin('127.0.0.2', {
    '/own.png': { headers: { 'content-type': 'image/png' }, body: PNG },
  });
  proxy = await startTinyProxy({
    connectPorts: [cdnHttps.port],
    basicAuth: { username: 'tandem', password: 'proxy-secret' },
  });
  server = await startNode('proxy-secret');
  session = await startCustomerSession(server.url, `http://shop.test:${shop.port}`);
});

after(async () => {
  session?.socket.disconnect();
  await Promise.all([server?.stop(), cdnHttp?.stop(), cdnHttps?.stop(), shop?.stop()]);
  await proxy?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('forward proxy', () => {
  it('fetches http resources in absolute form and https ones through CONNECT', async () => {
    const cssUrl = `http://cdn.test:${cdnHttp.port}/css/site.css`;
    const css = await fetch(`${server.url}${signer.sign(session.sessionId, cssUrl)}`);
    assert.equal(css.status, 200);
    const nested = [...(await css.text()).matchAll(/"(\/proxy\/r\/[^"]+)"/g)].map((m) => m[1]!);
    assert.equal(nested.length, 2);
    for (const path of nested) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, path);
    }

    const log = await proxy.log();
    // Every upstream fetch is in the proxy's log, by the checked address it was pinned to.
    assert.match(log, new RegExp(`GET http://127\\.0\\.0\\.3:${cdnHttp.port}/css/site\\.css`));
    const connects = log.match(new RegExp(`CONNECT 127\\.0\\.0\\.3:${cdnHttps.port}`, 'g')) ?? [];
    assert.equal(connects.length, 2, 'one tunnel per https fetch');
    assert.equal(cdnHttps.hits.length, 2);
    // The TLS inside the tunnel went to the CDN's name: the Host header says so.
    assert.ok(cdnHttps.hits.every((h) => h.headers.host === `cdn.test:${cdnHttps.port}`));
    assert.match(String(cdnHttp.hits[0]?.headers.via ?? ''), /tinyproxy/);
    assert.equal(cdnHttp.hits[0]?.headers['proxy-authorization'], undefined);
  });

  it('goes direct for hosts in noProxy', async () => {
    const res = await fetch(
      `${server.url}${signer.sign(session.sessionId, `http://shop.test:${shop.port}/own.png`)}`,
    );
    assert.equal(res.status, 200);
    assert.equal(shop.hits.length, 1);
    assert.equal(shop.hits[0]?.headers.via, undefined);
    assert.ok(!(await proxy.log()).includes(`:${shop.port}/own.png`));
  });

  it('reports a proxy that refuses the credentials', async () => {
    const wrong = await startNode('wrong-password');
    after(() => wrong.stop());
    const customer = await startCustomerSession(wrong.url, `http://shop.test:${shop.port}`);
    after(() => customer.socket.disconnect());
    const refused = async (url: string): Promise<string> => {
      const res = await fetch(`${wrong.url}${signer.sign(customer.sessionId, url)}`);
      assert.equal(res.status, 502, url);
      return ((await res.json()) as { error: string }).error;
    };
    assert.equal(
      await refused(`https://cdn.test:${cdnHttps.port}/img/logo.png`),
      'forward_proxy_error',
    );
    // tinyproxy answers wrong credentials with a plain 401, which looks like the upstream's own.
    assert.match(
      await refused(`http://cdn.test:${cdnHttp.port}/css/site.css`),
      /^(forward_proxy_error|upstream_status)$/,
    );
  });
});
