/**
 * Nothing active reaches the agent, against the REAL console at `/agent/` signed in with a real
 * token. The corpus (fixtures/xss-vectors.ts) enters a customer page through the real snippet as
 * initial HTML, as later insertions, as attribute changes of existing elements (and attacks on the
 * attributes the console owns), and inside a same-origin iframe. In every mode, beside "nothing
 * fired" (canary function, dialogs, a loopback canary listener), the first layer is checked on
 * its own: the wire the console received carries nothing active, no operation on an owned
 * attribute and no resource URL outside the proxy; and the console broke none of its own CSP
 * rules (its violation reports, collected by the node's `/csp-report`, are empty). Raw hostile
 * messages and the layers underneath have their own file (xss-layers.test.ts).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PROXY_PATH_PREFIX } from '../../server/src/proxy/signing.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { buildVectors } from './fixtures/xss-vectors.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { openConsoleAgent, rebuiltFacts, type ConsoleAgent } from './support/console-agent.ts';
import { cspViolations, expectNoViolations } from './support/csp-reports.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';
import { activeOnWire, ownedAttributeOps, unproxiedUrls } from './support/wire-checks.ts';

/** How long a view is watched for late execution (image errors, animations, focus). */
const WATCH_MS = 1500;

let tandem: RunningServer;
let statics: StaticServer;
let browser: Browser;
let customerContext: BrowserContext;
let agentContext: BrowserContext;
let canaryServer: Server;
let canaryUrl: string;
const canaryHits: string[] = [];

function vectorsFor(mode: string): string[] {
  return buildVectors().map((vector, i) =>
    vector
      .replaceAll('$C', `top.__canary('${mode}-${i}')`)
      .replaceAll('$H', `${canaryUrl}/${mode}-${i}`),
  );
}

/** Helpers every customer document (the page and its same-origin frame) has. */
const PAGE_HELPERS = `<script>window.__canary = function () {};
window.addVectors = function (vectors) {
  for (const v of vectors) { const d = document.createElement('div'); d.className = 'v'; d.innerHTML = v; document.body.append(d); }
};
window.addEmptyCopies = function (vectors) {
  const copies = [];
  for (const v of vectors) {
    const t = document.createElement('template'); t.innerHTML = v;
    for (const src of t.content.querySelectorAll('*')) {
      if (src.attributes.length === 0) continue;
      const el = document.createElementNS(src.namespaceURI, src.localName);
      document.body.append(el);
      copies.push([el, Array.from(src.attributes, (a) => [a.name, a.value])]);
    }
  }
  window.copies = copies;
  return copies.length;
};
window.setCopiedAttributes = function () {
  for (const [el, attrs] of window.copies) for (const [n, v] of attrs) { try { el.setAttribute(n, v); } catch {} }
};
</script>`;

/** The customer page: the snippet, a same-origin frame, and a frame and canvas to attack. */
function customerPage(tandemUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${PAGE_HELPERS}
<script src="${tandemUrl}/tandem.js"></script></head><body><h1>Shop</h1>
<iframe id="owned" src="/inner.html" width="300" height="150"></iframe>
<canvas id="canvas" width="10" height="10"></canvas></body></html>`;
}

/** Attacks on the attributes the console owns, from an ordinary page's script. */
const OWNED_ATTACKS = `(() => {
  // The corpus clobbers document.getElementById (DOMPurify's vectors): the prototype's is used.
  const byId = (id) => Document.prototype.getElementById.call(document, id);
  const frame = byId('owned');
  const canvas = byId('canvas');
  frame.setAttribute('sandbox', '');
  frame.removeAttribute('sandbox');
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin');
  frame.setAttribute('allow', 'camera; microphone');
  frame.setAttribute('csp', "script-src 'unsafe-inline'");
  frame.setAttribute('referrerpolicy', 'unsafe-url');
  frame.removeAttribute('referrerpolicy');
  frame.setAttribute('srcdoc', '<script>top.__canary("owned-srcdoc")</scr' + 'ipt>');
  canvas.setAttribute('src', '$H/owned-canvas.png');
  canvas.setAttribute('srcset', '$H/owned-canvas.png 1x');
  canvas.setAttribute('data-tandem-canvas', '');
})()`;

/** Waits until the console shows at least `minElements`, then watches it for late execution. */
async function expectInert(
  agent: ConsoleAgent,
  minElements: number,
  mode: string,
  minFramed = 0,
): Promise<void> {
  let last = '';
  const { value: facts } = await pollUntil(
    `${mode}: the vectors to reach the console`,
    async () => {
      const f = await rebuiltFacts(agent.page);
      last = `${f.elements} elements, ${f.framed} in frames`;
      return f.elements >= minElements && f.framed >= minFramed ? f : undefined;
    },
    30_000,
    100,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; last seen ${last}`);
  });
  const watchUntil = Date.now() + WATCH_MS;
  await pollUntil(
    'the watch window',
    async () => (Date.now() >= watchUntil ? true : undefined),
    WATCH_MS + 1000,
    100,
  );
  const late = await rebuiltFacts(agent.page);
  console.log(
    `  ${mode}: ${facts.elements} elements (${facts.framed} in ${facts.frames} frames) in the console, ${agent.wire.length} messages on its wire`,
  );
  assert.deepEqual(agent.canary, [], `${mode}: no vector ran in the console`);
  assert.deepEqual(agent.dialogs, [], `${mode}: no dialog opened`);
  assert.deepEqual(
    canaryHits.filter((hit) => hit.includes(mode)),
    [],
    `${mode}: nothing reached the canary listener`,
  );
  assert.deepEqual(late.active, [], `${mode}: nothing active in the rebuilt page`);
  // Layer one on its own: what the server relayed is already clean.
  assert.deepEqual(activeOnWire(agent.wire), [], `${mode}: nothing active on the wire`);
  assert.deepEqual(ownedAttributeOps(agent.wire), [], `${mode}: no owned attribute on the wire`);
  assert.deepEqual(
    unproxiedUrls(agent.wire, PROXY_PATH_PREFIX),
    [],
    `${mode}: every resource URL on the wire goes through the proxy`,
  );
  await expectNoViolations(tandem, agent.page, mode);
}

describe('XSS corpus against the real console', { concurrency: false }, () => {
  let customer: Page;
  let allowNavigation = false;

  async function openShop(): Promise<void> {
    allowNavigation = true;
    await customer.goto(`${statics.url}/shop.html`);
    await customer.waitForFunction(
      "(() => { const f = document.getElementById('owned'); return f?.contentDocument?.readyState === 'complete' && 'addVectors' in (f.contentWindow ?? {}); })()",
    );
    allowNavigation = false;
  }

  before(async () => {
    canaryServer = createServer((req, res) => {
      canaryHits.push(req.url ?? '');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => canaryServer.listen(0, '127.0.0.1', resolve));
    canaryUrl = `http://127.0.0.1:${(canaryServer.address() as AddressInfo).port}`;
    let tandemUrl = '';
    statics = await startStaticServer('/nonexistent', {
      '/shop.html': {
        body: async () => customerPage(tandemUrl),
        headers: { 'content-type': 'text/html' },
      },
      '/inner.html': {
        body: async () =>
          `<!doctype html><html><head><meta charset="utf-8">${PAGE_HELPERS}</head><body><p>inner</p></body></html>`,
        headers: { 'content-type': 'text/html' },
      },
    });
    tandem = await startServer({
      'cross-origin': { allowedOrigins: [statics.url] },
      limits: { messagesPerSecond: 1000 },
    });
    tandemUrl = tandem.url;
    browser = await launchChromium();
    customerContext = await browser.newContext({ ignoreHTTPSErrors: true });
    // The customer's page runs the vectors itself; only the agent's requests count as hits.
    await customerContext.route(
      (url) => url.port === new URL(canaryUrl).port,
      (route) => route.abort(),
    );
    agentContext = await browser.newContext({ ignoreHTTPSErrors: true });
    customer = await customerContext.newPage();
    // Vectors navigate the customer's page and its frame (meta refresh, links); only the test may.
    await customer.route('**/*', (route) =>
      route.request().isNavigationRequest() && !allowNavigation
        ? route.fulfill({ status: 204 })
        : route.fallback(),
    );
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await statics?.stop();
    canaryServer?.close();
  });

  const startTandem = (): Promise<string> =>
    customer.evaluate(() =>
      (globalThis as unknown as { Tandem: { start(): Promise<string> } }).Tandem.start(),
    );

  const stopTandem = (): Promise<void> =>
    customer.evaluate(() => (globalThis as unknown as { Tandem: { stop(): void } }).Tandem.stop());

  /** Adds vectors to the page itself, or to the document in its same-origin frame. */
  const addVectors = (vectors: string[], inFrame = false): Promise<void> =>
    // Not document.getElementById: the corpus clobbers it.
    customer.evaluate(
      `(${inFrame} ? Document.prototype.getElementById.call(document, 'owned').contentWindow : window).addVectors(${JSON.stringify(vectors)})`,
    );

  async function consoleAfterSnapshot(): Promise<ConsoleAgent> {
    await openShop();
    const agent = await openConsoleAgent(agentContext, tandem.url, await startTandem());
    await pollUntil(
      'the first snapshot',
      async () => (agent.wire.length > 0 ? true : undefined),
      10_000,
    );
    return agent;
  }

  it('the canary and the report collector work: a call and a violation from the console are seen', async () => {
    const agent = await consoleAfterSnapshot();
    await agent.page.evaluate(() =>
      (globalThis as unknown as { __canary(id: string): Promise<void> }).__canary('control'),
    );
    await pollUntil('the control call', async () =>
      agent.canary.includes('control') ? true : undefined,
    );
    // An inline style through the markup is refused by the console's CSP, and reported.
    await agent.page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')");
    await pollUntil(
      'the control violation report',
      async () =>
        cspViolations(tandem).some((v) => v.directive.startsWith('style-src')) ? true : undefined,
      10_000,
    );
    assert.equal(
      await agent.page.evaluate(() =>
        (
          globalThis as unknown as { __tandemAgent: { trustedTypes(): boolean } }
        ).__tandemAgent.trustedTypes(),
      ),
      true,
      'the rebuild code holds the Trusted Types policy',
    );
    await agent.close();
    await stopTandem();
    tandem.logs.length = 0;
  });

  it('as initial HTML, in the page and in its same-origin frame', async () => {
    await openShop();
    const vectors = vectorsFor('initial');
    await addVectors(vectors);
    await addVectors(vectorsFor('framed'), true);
    const agent = await openConsoleAgent(agentContext, tandem.url, await startTandem());
    await expectInert(agent, 2 * vectors.length, 'initial', vectors.length);
    await agent.close();
    await stopTandem();
  });

  it('as later insertions, in the page and in its same-origin frame', async () => {
    const agent = await consoleAfterSnapshot();
    const vectors = vectorsFor('mutation');
    await addVectors(vectors);
    await addVectors(vectorsFor('framed-mutation'), true);
    await expectInert(agent, 2 * vectors.length, 'mutation', vectors.length);
    await agent.close();
    await stopTandem();
  });

  it('as attribute changes of existing elements, and attacks on what the console owns', async () => {
    const agent = await consoleAfterSnapshot();
    const vectors = vectorsFor('attribute');
    const copies = await customer.evaluate(
      (v) => (globalThis as unknown as { addEmptyCopies(v: string[]): number }).addEmptyCopies(v),
      vectors,
    );
    const { value: elements } = await pollUntil(
      'the empty elements to reach the console',
      async () => {
        const f = await rebuiltFacts(agent.page);
        return f.elements >= copies * 0.8 ? f.elements : undefined;
      },
      20_000,
      100,
    );
    const before = agent.wire.length;
    await customer.evaluate(() =>
      (globalThis as unknown as { setCopiedAttributes(): void }).setCopiedAttributes(),
    );
    await customer.evaluate(OWNED_ATTACKS.replaceAll('$H', `${canaryUrl}/attribute`));
    await pollUntil(
      'the attribute batches',
      async () => (agent.wire.length > before ? true : undefined),
      10_000,
    );
    const attrOps = agent.wire
      .slice(before)
      .flatMap((m) => (m.kind === 'batch' ? m.ops : []))
      .filter((op) => op.op === 'attr');
    assert.ok(attrOps.length > 100, `attribute changes were relayed (${attrOps.length})`);
    // The server saw the owned-attribute attacks, refused them, and said so.
    await pollUntil(
      'the refusals of owned attributes in the node log',
      async () =>
        tandem.logs.filter((l) => l.msg === 'page operation refused').length >= 5
          ? true
          : undefined,
      10_000,
    );
    // The srcdoc attack replaces the frame's document with a smaller one: a few elements go.
    await expectInert(agent, Math.floor(elements * 0.9), 'attribute');
    await agent.close();
    await stopTandem();
  });
});
