/**
 * Nothing active reaches the agent: 500+ XSS and HTML-injection vectors (fixtures/xss-vectors.ts)
 * enter a customer page as initial HTML, as mutations, as attribute changes, and as raw protocol
 * messages from a hostile client that skips the snippet. In real Chromium none runs in the
 * agent's view: the canary function and the loopback canary listener record nothing, and the
 * relayed messages themselves carry no script, handler, script URL, srcdoc, base, plugin or
 * meta refresh (so the server's sanitizer holds on its own, not only the console's sandbox).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ElementNode, SerializedNode } from '../../server/src/protocol/index.ts';
import { startCustomerSession } from '../support/customer-session.ts';
import { pageSnapshot } from '../support/pages.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { buildVectors } from './fixtures/xss-vectors.ts';
import {
  AGENT_SECRET,
  mirrorRoutes,
  openAgentView,
  type AgentView,
  type Relayed,
} from './support/agent-view.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

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

/** The customer page: the snippet, and the vectors in their own containers (so one cannot swallow the rest). */
function customerPage(tandemUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script>window.__canary = function () {};
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
</script>
<script src="${tandemUrl}/tandem.js"></script></head><body><h1>Shop</h1></body></html>`;
}

/** Every place a relayed message could carry something active. */
function activeContent(messages: Relayed[]): string[] {
  const found: string[] = [];
  const SCRIPT_URL =
    /^\s*(?:javascript|vbscript|livescript):|^\s*data:(?!image\/(?:png|gif|jpe?g|webp|bmp|avif|x-icon))/i;
  const visit = (node: SerializedNode): void => {
    if (node.type === 'text') return;
    const el: ElementNode = node;
    if (
      ['script', 'base', 'object', 'embed', 'applet', 'frame', 'frameset', 'noscript'].includes(
        el.tag,
      ) ||
      el.tag === 'foreignobject' ||
      el.tag === 'set' ||
      el.tag.startsWith('animate')
    ) {
      found.push(`<${el.tag}>`);
    }
    for (const [name, value] of Object.entries(el.attrs)) {
      const lower = name.toLowerCase();
      if (
        lower.startsWith('on') ||
        lower === 'srcdoc' ||
        lower === 'http-equiv' ||
        lower === 'formaction' ||
        lower === 'action'
      )
        found.push(`${el.tag} ${name}`);
      if (SCRIPT_URL.test(value) && lower !== 'content' && lower !== 'style')
        found.push(`${el.tag} ${name}=${value.slice(0, 40)}`);
      if (/javascript:|expression\(|-moz-binding|behavior:/i.test(value))
        found.push(`${el.tag} ${name}=${value.slice(0, 40)}`);
    }
    if (el.css && /javascript:|expression\(|-moz-binding|behavior:/i.test(el.css))
      found.push(`${el.tag} css`);
    if (el.tag === 'style' && el.children.length > 0) found.push('text inside <style>');
    for (const child of [...el.children, ...(el.shadow ?? [])]) visit(child);
    if (el.frame) el.frame.children.forEach(visit);
  };
  for (const message of messages) {
    if (message.kind === 'snapshot') message.snapshot.doc.children.forEach(visit);
    for (const op of message.kind === 'batch' ? message.ops : []) {
      if (op.op === 'add') visit(op.node);
      if (op.op === 'frame' && op.doc) op.doc.children.forEach(visit);
      if (op.op === 'attr' && op.value !== null) {
        visit({
          type: 'element',
          id: op.id,
          tag: 'x',
          attrs: { [op.name]: op.value },
          children: [],
        });
      }
      if (op.op === 'css' && /javascript:|expression\(|-moz-binding|behavior:/i.test(op.css))
        found.push('css op');
    }
  }
  return found;
}

/** Facts about the rebuilt frame: nothing active may be in it. */
async function frameFacts(view: AgentView): Promise<{ nodes: number; active: string[] }> {
  return view.page.evaluate(`(() => {
    const doc = document.querySelector('iframe')?.contentDocument;
    const all = doc ? Array.from(doc.querySelectorAll('*')) : [];
    const active = [];
    for (const el of all) {
      if (['script', 'object', 'embed', 'base', 'frame'].includes(el.localName)) active.push(el.localName);
      for (const a of Array.from(el.attributes)) {
        if (a.name.startsWith('on') || a.name === 'srcdoc') active.push(el.localName + ' ' + a.name);
        if (/^\\s*(javascript|vbscript):/i.test(a.value)) active.push(el.localName + ' ' + a.name);
      }
    }
    return { nodes: all.length, active };
  })()`);
}

/** Waits until the view has at least `minNodes` elements, then watches it for late execution. */
async function expectInert(view: AgentView, minNodes: number, mode: string): Promise<void> {
  const { value: facts } = await pollUntil(
    `${mode}: the vectors to reach the agent's view`,
    async () => {
      const f = await frameFacts(view);
      return f.nodes >= minNodes ? f : undefined;
    },
    20_000,
    100,
  );
  const watchUntil = Date.now() + WATCH_MS;
  await pollUntil(
    'the watch window',
    async () => (Date.now() >= watchUntil ? true : undefined),
    WATCH_MS + 1000,
    100,
  );
  console.log(
    `  ${mode}: ${facts.nodes} elements in the agent's view, ${view.relayed.length} messages relayed`,
  );
  assert.deepEqual(view.canary, [], `${mode}: no vector ran in the agent's view`);
  assert.deepEqual(view.dialogs, [], `${mode}: no dialog opened`);
  assert.deepEqual(
    canaryHits.filter((hit) => hit.includes(mode)),
    [],
    `${mode}: nothing reached the canary listener`,
  );
  assert.deepEqual(facts.active, [], `${mode}: nothing active in the rebuilt frame`);
  assert.deepEqual(
    activeContent(view.relayed),
    [],
    `${mode}: nothing active in any relayed message`,
  );
}

describe('XSS corpus: nothing runs in the agent view', { concurrency: false }, () => {
  let customer: Page;
  let allowNavigation = false;

  async function openShop(): Promise<void> {
    allowNavigation = true;
    await customer.goto(`${statics.url}/shop.html`);
    allowNavigation = false;
  }

  before(async () => {
    canaryServer = createServer((req, res) => {
      canaryHits.push(req.url ?? '');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => canaryServer.listen(0, '127.0.0.1', resolve));
    canaryUrl = `http://127.0.0.1:${(canaryServer.address() as AddressInfo).port}`;
    const routes = await mirrorRoutes();
    let tandemUrl = '';
    statics = await startStaticServer('/nonexistent', {
      ...routes,
      '/shop.html': {
        body: async () => customerPage(tandemUrl),
        headers: { 'content-type': 'text/html' },
      },
    });
    tandem = await startServer({
      'cross-origin': { allowedOrigins: [statics.url] },
      agents: { secret: AGENT_SECRET },
      limits: { messagesPerSecond: 1000 },
    });
    tandemUrl = tandem.url;
    browser = await launchChromium();
    customerContext = await browser.newContext({ ignoreHTTPSErrors: true });
    // The customer's page runs the vectors itself; only the agent's requests count as hits.
    await customerContext.route(`${canaryUrl}/**`, (route) => route.abort());
    await customerContext.route(
      (url) => url.port === new URL(canaryUrl).port,
      (route) => route.abort(),
    );
    agentContext = await browser.newContext({ ignoreHTTPSErrors: true });
    customer = await customerContext.newPage();
    // Vectors navigate the customer's own page (meta refresh, links); only the test may.
    await customer.route('**/*', (route) => {
      const request = route.request();
      if (
        request.isNavigationRequest() &&
        request.frame() === customer.mainFrame() &&
        !allowNavigation
      ) {
        return route.fulfill({ status: 204 });
      }
      return route.fallback();
    });
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await statics?.stop();
    canaryServer?.close();
  });

  /** Starts Tandem on the shop page already open; returns the session code. */
  const startTandem = (): Promise<string> =>
    customer.evaluate(() =>
      (globalThis as unknown as { Tandem: { start(): Promise<string> } }).Tandem.start(),
    );

  async function startShop(): Promise<string> {
    await openShop();
    return startTandem();
  }

  const stopTandem = (): Promise<void> =>
    customer.evaluate(() => (globalThis as unknown as { Tandem: { stop(): void } }).Tandem.stop());

  const addVectors = (vectors: string[]): Promise<void> =>
    customer.evaluate(
      (v) => (globalThis as unknown as { addVectors(v: string[]): void }).addVectors(v),
      vectors,
    );

  const agentView = (code: string): Promise<AgentView> =>
    openAgentView(agentContext, tandem.url, `${statics.url}/mirror.html`, code);

  /** Starts a session on the shop and opens the agent's view once its first snapshot arrived. */
  async function viewAfterSnapshot(): Promise<AgentView> {
    const view = await agentView(await startShop());
    await pollUntil(
      'the first snapshot',
      async () => (view.relayed.length > 0 ? true : undefined),
      10_000,
    );
    return view;
  }

  it('the canary works: a call from the agent page is recorded', async () => {
    const view = await agentView(await startShop());
    await view.page.evaluate(() =>
      (globalThis as unknown as { __canary(id: string): Promise<void> }).__canary('control'),
    );
    await pollUntil('the control call', async () =>
      view.canary.includes('control') ? true : undefined,
    );
    await view.close();
    await stopTandem();
  });

  it('as initial HTML', async () => {
    await openShop();
    const vectors = vectorsFor('initial');
    await addVectors(vectors);
    const view = await agentView(await startTandem());
    await expectInert(view, vectors.length, 'initial');
    await view.close();
    await stopTandem();
  });

  it('as mutations', async () => {
    const view = await viewAfterSnapshot();
    const vectors = vectorsFor('mutation');
    await addVectors(vectors);
    await expectInert(view, vectors.length, 'mutation');
    await view.close();
    await stopTandem();
  });

  it('as attribute changes', async () => {
    const view = await viewAfterSnapshot();
    const vectors = vectorsFor('attribute');
    const copies = await customer.evaluate(
      (v) => (globalThis as unknown as { addEmptyCopies(v: string[]): number }).addEmptyCopies(v),
      vectors,
    );
    const { value: frameNodes } = await pollUntil(
      'the empty elements to reach the agent',
      async () => {
        const f = await frameFacts(view);
        return f.nodes >= copies * 0.8 ? f.nodes : undefined;
      },
      20_000,
      100,
    );
    const before = view.relayed.length;
    await customer.evaluate(() =>
      (globalThis as unknown as { setCopiedAttributes(): void }).setCopiedAttributes(),
    );
    await pollUntil(
      'the attribute batch',
      async () => (view.relayed.length > before ? true : undefined),
      10_000,
    );
    const attrOps = view.relayed
      .slice(before)
      .flatMap((m) => (m.kind === 'batch' ? m.ops : []))
      .filter((op) => op.op === 'attr');
    assert.ok(attrOps.length > 100, `attribute changes were relayed (${attrOps.length})`);
    await expectInert(view, frameNodes, 'attribute');
    await view.close();
    await stopTandem();
  });

  it('as raw protocol messages from a hostile client', async () => {
    // The hostile client serializes each vector exactly as parsed, skipping every snippet rule.
    const parser = await browser.newPage();
    const vectors = vectorsFor('raw');
    const nodes = (await parser.evaluate(
      `(${RAW_SERIALIZER})(${JSON.stringify(vectors)})`,
    )) as ElementNode[];
    await parser.close();
    const half = Math.ceil(nodes.length / 2);
    const hostile = await startCustomerSession(tandem.url, statics.url, `${statics.url}/shop.html`);
    const view = await agentView(hostile.code);
    hostile.sendSnapshot(
      pageSnapshot(1, nodes.slice(0, half), {
        url: `${statics.url}/shop.html`,
        title: 'raw',
        bodyAttrs: { onload: "top.__canary('raw-body')" },
      }),
    );
    // The second half as additions, then attribute changes naming every kind of node, and text
    // pushed into a <style>, all in batches after the snapshot.
    const ops = nodes
      .slice(half)
      .map((node) => ({ op: 'add' as const, parent: 3, before: null, node }));
    const attrOps = [
      ['onclick', "top.__canary('raw-attr-1')"],
      ['href', "javascript:top.__canary('raw-attr-2')"],
      ['srcdoc', "<script>top.__canary('raw-attr-3')</script>"],
      ['style', "background:url(javascript:top.__canary('raw-attr-4'))"],
      ['formaction', "javascript:top.__canary('raw-attr-5')"],
    ].flatMap(([name, value]) =>
      nodes
        .slice(0, half)
        .map((node) => ({ op: 'attr' as const, id: node.id, name: name!, value: value! })),
    );
    const styleId = 90;
    const batches = [
      [
        {
          op: 'add' as const,
          parent: 4,
          before: null,
          node: {
            type: 'element' as const,
            id: styleId,
            tag: 'style',
            attrs: {},
            children: [],
            css: '',
          },
        },
      ],
      [
        {
          op: 'add' as const,
          parent: styleId,
          before: null,
          node: {
            type: 'text' as const,
            id: 91,
            text: "*{background:url(javascript:top.__canary('raw-style'))}",
          },
        },
      ],
      ...chunk(ops, 200),
      ...chunk(attrOps, 1000),
    ];
    batches.forEach((batchOps, i) =>
      hostile.socket.emit('page:batch', { seq: i + 2, sentAt: Date.now(), ops: batchOps }),
    );
    await pollUntil(
      'every batch to be relayed',
      async () => (view.relayed.length >= batches.length + 1 ? true : undefined),
      20_000,
      100,
    );
    await expectInert(view, vectors.length, 'raw');
    await view.close();
    await hostile.end();
  });
});

/**
 * The hostile client's serializer, run in a blank page: every vector parsed (never run) by a
 * <template> and copied node for node, scripts, handlers and all. A string, so that no helper
 * the test runner's compiler adds ends up in the page.
 */
const RAW_SERIALIZER = `(list) => {
  let id = 100;
  const walk = (node) => {
    if (node.nodeType === 3) return { type: 'text', id: id++, text: node.data };
    if (node.nodeType !== 1) return null;
    const attrs = {};
    for (const a of Array.from(node.attributes)) if (/^[^\\s"'>/=]+$/.test(a.name)) attrs[a.name] = a.value;
    const ns = node.namespaceURI === 'http://www.w3.org/2000/svg' ? 'svg'
      : node.namespaceURI === 'http://www.w3.org/1998/Math/MathML' ? 'math' : undefined;
    const tag = node.localName.toLowerCase();
    const kids = tag === 'template' ? node.content.childNodes : node.childNodes;
    const out = { type: 'element', id: id++, tag: /^[a-z][a-z0-9._-]*$/.test(tag) ? tag : 'x-bad', attrs,
      children: Array.from(kids, walk).filter(Boolean) };
    if (ns) out.ns = ns;
    if (tag === 'style') out.css = node.textContent || '';
    if (tag === 'iframe' && node.getAttribute('srcdoc')) {
      out.frame = { type: 'document', id: id++, children: [{ type: 'element', id: id++, tag: 'html', attrs: {},
        children: [{ type: 'element', id: id++, tag: 'script', attrs: {},
          children: [{ type: 'text', id: id++, text: node.getAttribute('srcdoc') }] }] }] };
    }
    return out;
  };
  return list.map((v) => {
    const t = document.createElement('template');
    t.innerHTML = v;
    return { type: 'element', id: id++, tag: 'div', attrs: {}, children: Array.from(t.content.childNodes, walk).filter(Boolean) };
  });
}`;

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
