/**
 * Resources through the proxy, in real Chromium: a customer's page on shop.test (127.0.0.2) with
 * its stylesheet, web font and images on cdn.test (127.0.0.3), loopback stand-ins the node
 * reaches through the test resolver. The agent's view shows all of them, while every request the
 * agent's browser makes goes to the Tandem server and nowhere else.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { makePng, startOrigin, type Origin } from '../support/origins.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { openConsole, type CustomerGlobal } from './support/demo-session.ts';

const FONT = await readFile(new URL('../../server/web/demo/tandem-pixel.ttf', import.meta.url));
const PROXY_UA = 'Tandem-Resource-Proxy/1';

function page(server: RunningServer, cdn: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Shop</title>
<link rel="stylesheet" href="${cdn}/css/site.css">
<style>#inline { background-image: url(${cdn}/img/inline.png); width: 8px; height: 8px; }</style>
<script src="${server.url}/tandem.js"></script>
</head><body>
<h1 class="pixel">Shop with a web font</h1>
<p id="imported">styled by an @import</p>
<img id="photo" src="${cdn}/img/photo.png" alt="photo">
<img id="responsive" srcset="${cdn}/img/photo-2x.png 2x" alt="responsive">
<img id="own" src="/own.png" alt="own">
<div id="hero"></div><div id="inline"></div>
<div id="styled" style="background-image: url('${cdn}/img/styled.png'); width: 5px; height: 5px"></div>
</body></html>`;
}

describe('resource proxy in the browser', () => {
  let server: RunningServer;
  let shop: Origin;
  let cdn: Origin;
  let browser: Browser;
  let customerContext: BrowserContext;
  let agentContext: BrowserContext;
  const agentRequests: string[] = [];
  const agentFailures: string[] = [];

  before(async () => {
    cdn = await startOrigin('127.0.0.3', {
      '/css/site.css': {
        headers: { 'content-type': 'text/css' },
        body: `@import "more.css";
@font-face { font-family: "Pixel"; src: url("../fonts/pixel.ttf") format("truetype"); }
.pixel { font-family: "Pixel", monospace; }
#hero { background-image: url(../img/hero.png); width: 6px; height: 6px; }`,
      },
      '/css/more.css': {
        headers: { 'content-type': 'text/css' },
        body: '#imported { color: rgb(1, 2, 3); }',
      },
      '/fonts/pixel.ttf': { headers: { 'content-type': 'font/ttf' }, body: FONT },
      '/img/photo.png': {
        headers: { 'content-type': 'image/png' },
        body: makePng(7, 3, [9, 9, 9]),
      },
      '/img/photo-2x.png': {
        headers: { 'content-type': 'image/png' },
        body: makePng(22, 2, [9, 9, 9]),
      },
      '/img/hero.png': {
        headers: { 'content-type': 'image/png' },
        body: makePng(6, 6, [200, 0, 0]),
      },
      '/img/inline.png': {
        headers: { 'content-type': 'image/png' },
        body: makePng(8, 8, [0, 200, 0]),
      },
      '/img/styled.png': {
        headers: { 'content-type': 'image/png' },
        body: makePng(5, 5, [0, 0, 200]),
      },
    });
    shop = await startOrigin('127.0.0.2', {});
    const shopOrigin = `http://shop.test:${shop.port}`;
    server = await startServer(
      {
        'cross-origin': { allowedOrigins: [shopOrigin] },
        'http-proxy': { allowedExternalDomains: ['cdn.test'], allowedPorts: [shop.port, cdn.port] },
      },
      {
        TANDEM_TEST_ALLOW_LOOPBACK_ORIGINS: '127.0.0.2,127.0.0.3',
        TANDEM_TEST_RESOLVER: 'shop.test=127.0.0.2,cdn.test=127.0.0.3',
      },
    );
    // The shop's routes need the node's URL, which is known only now.
    await shop.stop();
    shop = await startOrigin(
      '127.0.0.2',
      {
        '/': {
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: page(server, `http://cdn.test:${cdn.port}`),
        },
        '/own.png': { headers: { 'content-type': 'image/png' }, body: makePng(5, 4, [1, 1, 1]) },
      },
      { port: shop.port },
    );
    browser = await launchChromium([
      // The customer's browser finds the shop and the CDN by name, like on the internet.
      `--host-resolver-rules=MAP shop.test 127.0.0.2, MAP cdn.test 127.0.0.3`,
    ]);
    customerContext = await browser.newContext({ ignoreHTTPSErrors: true });
    agentContext = await browser.newContext({ ignoreHTTPSErrors: true });
    agentContext.on('request', (request) => agentRequests.push(request.url()));
    agentContext.on('response', (response) => {
      if (response.url().includes('/proxy/') && response.status() !== 200)
        agentFailures.push(`${response.status()} ${response.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await Promise.all([server?.stop(), shop?.stop(), cdn?.stop()]);
  });

  async function startSession(customer: Page): Promise<string> {
    await customer.goto(`http://shop.test:${shop.port}/`);
    await pollUntil('the snippet', async () =>
      (await customer.evaluate(() => 'Tandem' in globalThis)) ? true : undefined,
    );
    return customer.evaluate(() => (globalThis as unknown as CustomerGlobal).Tandem.start());
  }

  async function joinAsAgent(code: string): Promise<{ agent: Page; view: FrameLocator }> {
    const token = await mintTestToken({ name: 'Alice' });
    const agent = await openConsole(agentContext, server.url, code, token, {
      name: 'Alice',
      minNodes: 10,
    });
    return { agent, view: agent.frameLocator('#view') };
  }

  let lastState: unknown;
  it("shows the page's stylesheets, @import, web font and images, all through the proxy", async () => {
    const customer = await customerContext.newPage();
    const code = await startSession(customer);
    const { view } = await joinAsAgent(code);

    after(() => console.log('  last agent view state:', JSON.stringify(lastState)));
    const { elapsedMs } = await pollUntil(
      'every resource in the agent view',
      async () => {
        // No named inner functions: the test's transpiler would wrap them in a helper the page lacks.
        const state = await view.locator('body').evaluate((body) => {
          const doc = body.ownerDocument;
          const view = doc.defaultView!;
          const widths = ['photo', 'responsive', 'own'].map(
            (id) =>
              (doc.getElementById(id) as unknown as { naturalWidth: number } | null)?.naturalWidth,
          );
          return {
            photo: widths[0],
            responsive: widths[1],
            own: widths[2],
            imported: view.getComputedStyle(doc.getElementById('imported')!).color,
            hero: view.getComputedStyle(doc.getElementById('hero')!).backgroundImage,
            font:
              doc.fonts.check('16px Pixel') &&
              [...doc.fonts].some(
                (f) => f.family.replace(/"/g, '') === 'Pixel' && f.status === 'loaded',
              ),
          };
        });
        lastState = state;
        return state.photo === 7 &&
          (state.responsive ?? 0) > 0 &&
          state.own === 5 &&
          state.imported === 'rgb(1, 2, 3)' &&
          state.font &&
          state.hero?.includes('/proxy/r/')
          ? state
          : undefined;
      },
      10_000,
    );
    console.log(`  resources visible to the agent after ${elapsedMs} ms`);

    // The proxy fetched each of them (the customer's browser fetched them too, with its own UA).
    const byProxy = (origin: Origin) =>
      new Set(origin.hits.filter((h) => h.headers['user-agent'] === PROXY_UA).map((h) => h.path));
    const expected = [
      '/css/site.css',
      '/css/more.css',
      '/fonts/pixel.ttf',
      '/img/photo.png',
      '/img/photo-2x.png',
      '/img/hero.png',
      '/img/inline.png',
      '/img/styled.png',
    ];
    // Background images load after layout: give them a moment.
    await pollUntil('the proxy to fetch every resource', async () =>
      expected.every((path) => byProxy(cdn).has(path)) ? true : undefined,
    ).catch(() => undefined);
    const fromCdn = byProxy(cdn);
    for (const path of expected) assert.ok(fromCdn.has(path), `the proxy fetched ${path}`);
    assert.ok(byProxy(shop).has('/own.png'), "the page's own image came through the proxy");

    // Nothing the agent's browser asked for went anywhere but the Tandem server.
    const tandem = new URL(server.url);
    const outside = agentRequests.filter((url) => {
      const parsed = new URL(url);
      if (['data:', 'about:', 'blob:'].includes(parsed.protocol)) return false;
      return parsed.host !== tandem.host;
    });
    assert.deepEqual(outside, []);
    assert.ok(agentRequests.filter((url) => url.includes('/proxy/r/')).length >= 9);
    assert.deepEqual(agentFailures, []);
  });
});
