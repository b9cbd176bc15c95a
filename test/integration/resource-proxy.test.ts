/**
 * The resource proxy against a real node: a customer's site (shop.test → 127.0.0.2) and a CDN
 * (cdn.test → 127.0.0.3) on loopback stand-ins reached through the test resolver. Stylesheets come
 * back with every nested URL signed for the same session; the page's own host is allowed, others
 * only when listed; nothing of the agent's request goes upstream; caching follows the upstream's
 * headers, and `http-security.disableCaching` turns it off.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createSigner, parseProxyPath } from '../../server/src/proxy/signing.ts';
import { startCustomerSession, type CustomerSession } from '../support/customer-session.ts';
import { makePng, startOrigin, type Origin } from '../support/origins.ts';
import { startRedis } from '../support/redis.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { scrape, sumSamples } from '../support/metrics.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const KEY = 'integration-test-signing-key-0123456789';
const signer = createSigner({ key: Buffer.from(KEY), ttlMs: 3_600_000 });
const FONT = await readFile(new URL('../../server/web/demo/tandem-pixel.ttf', import.meta.url));
const PNG = makePng(4, 3, [200, 30, 30]);

let shop: Origin;
let cdn: Origin;
let server: RunningServer;
let uncached: RunningServer;
const sessions: CustomerSession[] = [];

function proxyEnv(): NodeJS.ProcessEnv {
  return {
    TANDEM_TEST_ALLOW_LOOPBACK_ORIGINS: '127.0.0.2,127.0.0.3',
    TANDEM_TEST_RESOLVER: 'shop.test=127.0.0.2,cdn.test=127.0.0.3,other.test=127.0.0.3',
  };
}

function proxyConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'cross-origin': { allowedOrigins: [`http://shop.test:${shop.port}`] },
    'http-proxy': {
      allowedExternalDomains: ['cdn.test'],
      allowedPorts: [80, 443, shop.port, cdn.port],
      signingKey: KEY,
    },
    ...extra,
  };
}

async function newSession(node: RunningServer): Promise<CustomerSession> {
  const session = await startCustomerSession(node.url, `http://shop.test:${shop.port}`);
  sessions.push(session);
  return session;
}

async function get(
  node: RunningServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${node.url}${path}`, { headers, redirect: 'manual' });
}

async function metric(node: RunningServer, name: string, label = ''): Promise<number> {
  return sumSamples(await scrape(node.metricsUrl), name, label);
}

before(async () => {
  cdn = await startOrigin('127.0.0.3', {
    '/css/site.css': {
      headers: { 'content-type': 'text/css', 'cache-control': 'max-age=60' },
      body: [
        '@import "more.css";',
        "@font-face { font-family: Pixel; src: url('../fonts/pixel.ttf') format('truetype'); }",
        '.hero { background-image: url(/img/hero.png); }',
        '.inline { background: url(data:image/png;base64,AAAA); }',
      ].join('\n'),
    },
    '/css/more.css': { headers: { 'content-type': 'text/css' }, body: '.more { color: red }' },
    '/fonts/pixel.ttf': { headers: { 'content-type': 'application/octet-stream' }, body: FONT },
    '/img/hero.png': {
      headers: {
        'content-type': 'image/png',
        'cache-control': 'public, max-age=60',
        'set-cookie': 'tracking=1',
        'x-upstream-secret': 'internal',
        'access-control-allow-origin': '*',
      },
      body: PNG,
    },
    '/img/no-store.png': {
      headers: { 'content-type': 'image/png', 'cache-control': 'no-store' },
      body: PNG,
    },
    '/page.html': { headers: { 'content-type': 'text/html' }, body: '<h1>no</h1>' },
  });
  shop = await startOrigin('127.0.0.2', {
    '/logo.png': { headers: { 'content-type': 'image/png' }, body: PNG },
  });
  server = await startServer(proxyConfig(), proxyEnv());
  uncached = await startServer(
    proxyConfig({ 'http-security': { disableCaching: true } }),
    proxyEnv(),
  );
});

after(async () => {
  for (const session of sessions) session.socket.disconnect();
  await Promise.all([server?.stop(), uncached?.stop(), shop?.stop(), cdn?.stop()]);
});

describe('resource proxy', () => {
  it('serves a stylesheet with every nested URL signed for the same session', async () => {
    const { sessionId } = await newSession(server);
    const res = await get(
      server,
      signer.sign(sessionId, `http://cdn.test:${cdn.port}/css/site.css`),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/css; charset=utf-8');
    const css = await res.text();
    const nested = [...css.matchAll(/"(\/proxy\/r\/[^"]+)"/g)].map((m) => m[1]!);
    const targets = nested.map((path) => {
      const parsed = parseProxyPath(path)!;
      assert.equal(parsed.sessionId, sessionId);
      const verified = signer.verify(parsed.sessionId, parsed.token);
      assert.ok(verified.ok);
      return verified.url;
    });
    const base = `http://cdn.test:${cdn.port}`;
    assert.deepEqual(targets.sort(), [
      `${base}/css/more.css`,
      `${base}/fonts/pixel.ttf`,
      `${base}/img/hero.png`,
    ]);
    // The rewriter copies what it does not map as written.
    assert.ok(css.includes('url(data:image/png;base64,AAAA)'), 'inline images stay');
    for (const path of nested) {
      const inner = await get(server, path);
      assert.equal(inner.status, 200, path);
    }
    const font = await get(
      server,
      nested.find((p) => targets[nested.indexOf(p)]?.endsWith('.ttf'))!,
    );
    assert.equal(font.headers.get('content-type'), 'font/ttf');
    assert.deepEqual(Buffer.from(await font.arrayBuffer()), FONT);
  });

  it('sends nothing of the agent upstream and passes no upstream header but its own', async () => {
    const { sessionId } = await newSession(server);
    const before = cdn.hits.length;
    const res = await get(
      server,
      signer.sign(sessionId, `http://cdn.test:${cdn.port}/img/hero.png?x=1`),
      {
        cookie: 'agent-session=secret',
        authorization: 'Bearer agent-token',
        'x-forwarded-for': '10.1.2.3',
      },
    );
    assert.equal(res.status, 200);
    const hit = cdn.hits.slice(before).find((h) => h.path === '/img/hero.png?x=1');
    assert.ok(hit, 'the CDN was asked');
    for (const name of ['cookie', 'authorization', 'x-forwarded-for', 'referer', 'origin']) {
      assert.equal(hit.headers[name], undefined, `${name} is not forwarded`);
    }
    assert.equal(res.headers.get('set-cookie'), null);
    assert.equal(res.headers.get('x-upstream-secret'), null);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
  });

  it("allows the page's own host and listed domains, and refuses others", async () => {
    const { sessionId } = await newSession(server);
    const own = await get(server, signer.sign(sessionId, `http://shop.test:${shop.port}/logo.png`));
    assert.equal(own.status, 200);
    const refusalsBefore = await metric(
      server,
      'tandem_proxy_refusals_total',
      'domain_not_allowed',
    );
    const other = await get(
      server,
      signer.sign(sessionId, `http://other.test:${cdn.port}/img/hero.png`),
    );
    assert.equal(other.status, 403);
    assert.equal(((await other.json()) as { error: string }).error, 'domain_not_allowed');
    assert.equal(
      await metric(server, 'tandem_proxy_refusals_total', 'domain_not_allowed'),
      refusalsBefore + 1,
    );
    assert.ok(
      server.logs.some((l) => l.msg === 'proxy refused' && l.code === 'domain_not_allowed'),
      'the refusal is logged',
    );
    const html = await get(server, signer.sign(sessionId, `http://cdn.test:${cdn.port}/page.html`));
    assert.equal(html.status, 403);
    assert.equal(((await html.json()) as { error: string }).error, 'type_not_allowed');
  });

  it('refuses once the session has ended', async () => {
    const session = await newSession(server);
    const path = signer.sign(session.sessionId, `http://cdn.test:${cdn.port}/img/hero.png`);
    assert.equal((await get(server, path)).status, 200);
    await session.end();
    const res = await get(server, path);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: string }).error, 'session_gone');
  });

  it('caches what the upstream allows, and says so to the browser', async () => {
    const { sessionId } = await newSession(server);
    const url = `http://cdn.test:${cdn.port}/img/hero.png?cache=on`;
    const count = () => cdn.hits.filter((h) => h.path === '/img/hero.png?cache=on').length;
    const first = await get(server, signer.sign(sessionId, url));
    const second = await get(server, signer.sign(sessionId, url));
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(count(), 1, 'the second request came from the cache');
    assert.match(second.headers.get('cache-control') ?? '', /^private, max-age=([1-5]\d|60)$/);
    assert.ok((await metric(server, 'tandem_proxy_cache_lookups_total', 'result="hit"')) >= 1);

    const noStore = `http://cdn.test:${cdn.port}/img/no-store.png`;
    await get(server, signer.sign(sessionId, noStore));
    const again = await get(server, signer.sign(sessionId, noStore));
    assert.equal(cdn.hits.filter((h) => h.path === '/img/no-store.png').length, 2);
    assert.equal(again.headers.get('cache-control'), 'no-cache');
  });

  it('with disableCaching, caches nothing and answers no-store', async () => {
    const { sessionId } = await newSession(uncached);
    const url = `http://cdn.test:${cdn.port}/img/hero.png?cache=off`;
    const count = () => cdn.hits.filter((h) => h.path === '/img/hero.png?cache=off').length;
    for (let i = 0; i < 3; i++) {
      const res = await get(uncached, signer.sign(sessionId, url));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
    assert.equal(count(), 3, 'every request went upstream');
    assert.equal(await metric(uncached, 'tandem_proxy_cache_lookups_total', 'result="hit"'), 0);
  });

  it('counts requests and upstream latency', async () => {
    assert.ok((await metric(server, 'tandem_proxy_requests_total', 'outcome="served"')) >= 5);
    assert.ok((await metric(server, 'tandem_proxy_upstream_seconds_count', 'outcome="ok"')) >= 4);
  });

  it('in a cluster, shares the cache between nodes through Redis', async () => {
    const redis = await startRedis();
    const cluster = { cluster: { redis: { url: redis.url } } };
    const nodeA = await startServer(proxyConfig(cluster), proxyEnv());
    const nodeB = await startServer(proxyConfig(cluster), proxyEnv());
    after(async () => {
      await Promise.all([nodeA.stop(), nodeB.stop()]);
      await redis.destroy();
    });
    const { sessionId } = await newSession(nodeA);
    const url = `http://cdn.test:${cdn.port}/img/hero.png?cache=cluster`;
    const count = () => cdn.hits.filter((h) => h.path === '/img/hero.png?cache=cluster').length;
    // Signed on one node, served by the other: the nodes share the key and the session store.
    assert.equal((await get(nodeA, signer.sign(sessionId, url))).status, 200);
    const fromB = await get(nodeB, signer.sign(sessionId, url));
    assert.equal(fromB.status, 200);
    assert.deepEqual(Buffer.from(await fromB.arrayBuffer()), PNG);
    assert.equal(count(), 1, 'node B answered from the shared cache');
    assert.equal(await metric(nodeB, 'tandem_proxy_cache_lookups_total', 'result="hit"'), 1);
  });
});
