/**
 * The three layers of "nothing active reaches the agent", each shown to hold alone, against the
 * REAL console at `/agent/` with a real token:
 *
 * 1. the server: a hostile client that skips the snippet sends the corpus as raw protocol
 *    messages (a plain snapshot, a packed and deflated one, batches of additions, attribute
 *    changes, owned-attribute removals, CSS and `<style>` text); the wire the console receives is
 *    clean on its own;
 * 2. the console's policy: the same hostile messages are fed to the console directly, bypassing
 *    the server (its websocket is routed through the test); the rebuilt page holds nothing active;
 * 3. the frame's sandbox and CSP: with the first two layers switched off by their test-only
 *    switches (`TANDEM_TEST_UNSAFE_RAW_PAGES` on the node: no sanitizing, no URL rewriting; a
 *    console bundle built with `TANDEM_TEST_UNSAFE_NO_CONSOLE_POLICY`), active nodes and raw
 *    URLs reach the frame, and its CSP blocks the fetches they try (the frame's violation
 *    reports name the canary) while nothing runs.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateRawSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { ElementNode, MutationOp, PageSnapshot } from '../../server/src/protocol/index.ts';
import { packTree } from '../../server/src/protocol/packed-tree.ts';
import { PROXY_PATH_PREFIX } from '../../server/src/proxy/signing.ts';
import { startCustomerSession, type CustomerSession } from '../support/customer-session.ts';
import { element, pageSnapshot } from '../support/pages.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { buildVectors } from './fixtures/xss-vectors.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import {
  openConsoleAgent,
  rebuiltFacts,
  type ConsoleAgent,
  type WireMessage,
} from './support/console-agent.ts';
import { cspViolations, expectNoViolations, flushReports } from './support/csp-reports.ts';
import { chunk, serializeRaw } from './support/raw-serializer.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';
import { activeOnWire, ownedAttributeOps, unproxiedUrls } from './support/wire-checks.ts';

const PAGE = 'https://shop.example/';
const UNSAFE_LOG = 'TEST ONLY: pages are relayed unsanitized and unrewritten';
/** Ids the hostile page gives its frame and canvas (the vectors count up from 100). */
const FRAME_ID = 10;
const CANVAS_ID = 12;
const STYLE_ID = 13;

let statics: StaticServer;
let browser: Browser;
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

/** Hostile CSS as a client that skips the snippet may send it (the issue's `@import` and more). */
function hostileCss(mode: string): string[] {
  const h = `${canaryUrl}/${mode}-css`;
  return [
    `@import '${h}/1.css';`,
    `@import"${h}/2.css";`,
    `@im\\port '${h}/3.css';`,
    `@import url(${h}/4.css);`,
    `*{background:u\\72l(${h}/5.png)}`,
    `*{background:image-set("${h}/6.png" 1x)}`,
    `@font-face{font-family:x;src:url(${h}/7.woff)}body{font-family:x}`,
    `*{background:url(javascript:top.__canary('${mode}-css-8'))}`,
  ];
}

/**
 * The hostile client's whole story, as protocol messages: a snapshot (plain or packed) holding
 * half the corpus, a frame and a canvas; then batches adding the other half, setting handlers and
 * script URLs on every node, removing and replacing what the console owns, and pushing CSS.
 */
function hostileMessages(
  nodes: ElementNode[],
  mode: string,
  packed: boolean,
): Array<['page:snapshot' | 'page:batch', unknown]> {
  const half = Math.ceil(nodes.length / 2);
  const css = hostileCss(mode);
  const snapshot: PageSnapshot = pageSnapshot(
    1,
    [
      element(
        FRAME_ID,
        'iframe',
        { sandbox: 'allow-scripts', src: `${canaryUrl}/${mode}-frame` },
        [],
        {
          frame: {
            type: 'document',
            id: 11,
            children: [element(20, 'html', {}, [element(21, 'body')])],
          },
        },
      ),
      element(CANVAS_ID, 'canvas', { src: `${canaryUrl}/${mode}-canvas.png` }),
      element(STYLE_ID, 'style', {}, [{ type: 'text', id: 14, text: css.join('\n') }], {
        css: css.join('\n'),
      }),
      ...nodes.slice(0, half),
    ],
    { url: PAGE, title: mode, bodyAttrs: { onload: `top.__canary('${mode}-body')` } },
  );
  const first: unknown = packed
    ? {
        seq: snapshot.seq,
        url: snapshot.url,
        title: snapshot.title,
        viewport: snapshot.viewport,
        tree: deflateRawSync(packTree(snapshot.doc)),
        compression: 'deflate-raw',
      }
    : snapshot;
  const adds: MutationOp[] = nodes
    .slice(half)
    .map((node) => ({ op: 'add', parent: 3, before: null, node }));
  const attrs: MutationOp[] = [
    ['onclick', `top.__canary('${mode}-attr-1')`],
    ['href', `javascript:top.__canary('${mode}-attr-2')`],
    ['srcdoc', `<script>top.__canary('${mode}-attr-3')</script>`],
    ['style', `background:url(javascript:top.__canary('${mode}-attr-4'))`],
    ['formaction', `javascript:top.__canary('${mode}-attr-5')`],
  ].flatMap(([name, value]) =>
    nodes
      .slice(0, half)
      .map((node) => ({ op: 'attr' as const, id: node.id, name: name!, value: value! })),
  );
  const owned: MutationOp[] = [
    { op: 'attr', id: FRAME_ID, name: 'sandbox', value: null },
    { op: 'attr', id: FRAME_ID, name: 'sandbox', value: 'allow-scripts allow-same-origin' },
    { op: 'attr', id: FRAME_ID, name: 'src', value: null },
    { op: 'attr', id: FRAME_ID, name: 'src', value: `${canaryUrl}/${mode}-frame-2` },
    {
      op: 'attr',
      id: FRAME_ID,
      name: 'srcdoc',
      value: `<img src=x onerror="top.__canary('${mode}-srcdoc')">`,
    },
    { op: 'attr', id: FRAME_ID, name: 'csp', value: "script-src 'unsafe-inline'" },
    { op: 'attr', id: FRAME_ID, name: 'referrerpolicy', value: 'unsafe-url' },
    { op: 'attr', id: CANVAS_ID, name: 'src', value: `${canaryUrl}/${mode}-canvas-2.png` },
    { op: 'attr', id: 21, name: 'data-tandem-canvas', value: '' },
  ];
  const style: MutationOp[] = [
    ...css.map((text) => ({ op: 'css' as const, id: STYLE_ID, css: text })),
    { op: 'text', id: 14, text: css.join('\n') },
    {
      op: 'add',
      parent: STYLE_ID,
      before: null,
      node: { type: 'text', id: 15, text: css.join('\n') },
    },
  ];
  const batches = [owned, style, ...chunk(adds, 200), ...chunk(attrs, 1000)];
  return [
    ['page:snapshot', first],
    ...batches.map((ops, i): ['page:batch', unknown] => [
      'page:batch',
      { seq: i + 2, sentAt: Date.now(), ops },
    ]),
  ];
}

/** Waits for `count` page messages on the console's wire, then for the rebuilt page to settle. */
async function settle(agent: ConsoleAgent, count: number, minElements: number): Promise<void> {
  await pollUntil(
    'every message to reach the console',
    async () => (agent.wire.length >= count ? true : undefined),
    30_000,
    100,
  );
  await pollUntil(
    'the console to rebuild the page',
    async () => ((await rebuiltFacts(agent.page)).elements >= minElements ? true : undefined),
    30_000,
    100,
  );
  // Late execution (image errors, animations, focus) has this long to show itself.
  const until = Date.now() + 1500;
  await pollUntil(
    'the watch window',
    async () => (Date.now() >= until ? true : undefined),
    3000,
    100,
  );
}

async function expectNothingRan(agent: ConsoleAgent, mode: string): Promise<void> {
  assert.deepEqual(agent.canary, [], `${mode}: no vector ran in the console`);
  assert.deepEqual(agent.dialogs, [], `${mode}: no dialog opened`);
  assert.deepEqual(
    canaryHits.filter((hit) => hit.includes(mode)),
    [],
    `${mode}: nothing reached the canary listener`,
  );
}

describe('each layer holds alone, against the real console', { concurrency: false }, () => {
  let tandem: RunningServer;
  let nodes: ElementNode[];

  before(async () => {
    canaryServer = createServer((req, res) => {
      canaryHits.push(req.url ?? '');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => canaryServer.listen(0, '127.0.0.1', resolve));
    canaryUrl = `http://127.0.0.1:${(canaryServer.address() as AddressInfo).port}`;
    statics = await startStaticServer('/nonexistent', {});
    tandem = await startServer({
      'cross-origin': { allowedOrigins: [statics.url] },
      limits: { messagesPerSecond: 1000 },
    });
    browser = await launchChromium();
    agentContext = await browser.newContext({ ignoreHTTPSErrors: true });
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await statics?.stop();
    canaryServer?.close();
  });

  async function hostileSession(node: RunningServer): Promise<CustomerSession> {
    return startCustomerSession(node.url, statics.url, PAGE);
  }

  for (const packed of [false, true]) {
    const mode = packed ? 'raw-packed' : 'raw-plain';
    it(`layer 1, the server: a hostile client's ${packed ? 'packed' : 'plain'} snapshot and batches arrive clean`, async () => {
      nodes = await serializeRaw(browser, vectorsFor(mode));
      const hostile = await hostileSession(tandem);
      const agent = await openConsoleAgent(agentContext, tandem.url, hostile.code);
      const messages = hostileMessages(nodes, mode, packed);
      for (const [event, data] of messages) hostile.socket.emit(event, data);
      await settle(agent, messages.length, nodes.length);
      await expectNothingRan(agent, mode);
      assert.deepEqual(
        (await rebuiltFacts(agent.page)).active,
        [],
        `${mode}: nothing active in the rebuilt page`,
      );
      assert.deepEqual(activeOnWire(agent.wire), [], `${mode}: nothing active on the wire`);
      assert.deepEqual(
        ownedAttributeOps(agent.wire),
        [],
        `${mode}: no owned attribute on the wire`,
      );
      assert.deepEqual(
        unproxiedUrls(agent.wire, PROXY_PATH_PREFIX),
        [],
        `${mode}: only proxy URLs`,
      );
      assert.ok(
        tandem.logs.some((l) => l.msg === 'page operation refused' && l.name === 'sandbox'),
        'the node logged the refused sandbox removal',
      );
      await expectNoViolations(tandem, agent.page, mode);
      await agent.close();
      await hostile.end();
    });
  }

  it('layer 2, the console: hostile messages fed to it directly, past the server, build nothing active', async () => {
    const mode = 'console';
    nodes = await serializeRaw(browser, vectorsFor(mode));
    const hostile = await hostileSession(tandem);
    const agent = await openConsoleAgent(agentContext, tandem.url, hostile.code, { inject: true });
    const messages = hostileMessages(nodes, mode, false);
    // What is fed is as hostile as it gets: the server never saw it.
    const fed: WireMessage[] = messages.map(([event, data]) =>
      event === 'page:snapshot'
        ? { kind: 'snapshot', snapshot: data as PageSnapshot }
        : { kind: 'batch', seq: 0, ops: (data as { ops: MutationOp[] }).ops },
    );
    assert.ok(activeOnWire(fed).length > 500, 'the fed messages carry active content');
    assert.ok(ownedAttributeOps(fed).length >= 8, 'the fed messages attack owned attributes');
    for (const [event, data] of messages) agent.inject(event, data);
    await pollUntil(
      'the console to rebuild the fed page',
      async () => ((await rebuiltFacts(agent.page)).elements >= nodes.length ? true : undefined),
      30_000,
      100,
    );
    const until = Date.now() + 1500;
    await pollUntil(
      'the watch window',
      async () => (Date.now() >= until ? true : undefined),
      3000,
      100,
    );
    await expectNothingRan(agent, mode);
    const facts = await rebuiltFacts(agent.page);
    assert.deepEqual(facts.active, [], `${mode}: the console's policy refused every active node`);
    assert.ok(facts.frames >= 1, 'the hostile frame was built, with the console’s own sandbox');
    // The console itself broke no rule of its CSP (its frame may report the CSS it was fed).
    await flushReports(tandem, agent.page);
    assert.deepEqual(
      cspViolations(tandem).filter(
        (v) => v.source === 'console' && !v.blocked.startsWith('http://127.0.0.1:9'),
      ),
      [],
      `${mode}: the console reported no violation of its own`,
    );
    await agent.close();
    await hostile.end();
  });

  it('layer 3, the frame: with the other two switched off, its CSP blocks the fetches they let through', async () => {
    const mode = 'frame';
    const unsafe = await startServer(
      { 'cross-origin': { allowedOrigins: [statics.url] }, limits: { messagesPerSecond: 1000 } },
      { TANDEM_TEST_UNSAFE_RAW_PAGES: '1' },
    );
    try {
      assert.ok(
        unsafe.logs.some((l) => l.msg === UNSAFE_LOG),
        'the unsafe node says so',
      );
      assert.ok(
        !tandem.logs.some((l) => l.msg === UNSAFE_LOG),
        'an ordinary node keeps its sanitizer',
      );
      const shipped = await (await agentContext.request.get(`${unsafe.url}/agent/agent.js`)).text();
      assert.doesNotMatch(shipped, /TANDEM_TEST_UNSAFE/, 'the shipped console has no switch left');
      const h = `${canaryUrl}/${mode}`;
      const vectors = [
        `<img src="${h}-img.png">`,
        `<link rel="stylesheet" href="${h}-link.css">`,
        `<style>@import '${h}-import.css';</style>`,
        `<div style="background:url(${h}-bg.png);width:9px;height:9px"></div>`,
        `<object data="${h}-object" type="text/html"></object>`,
        `<iframe srcdoc="<img src='${h}-srcdoc.png'>"></iframe>`,
        `<img src="x" onerror="top.__canary('${mode}-onerror')">`,
        `<script src="${h}-script.js"></script><script>top.__canary('${mode}-script')</script>`,
      ];
      const raw = await serializeRaw(browser, vectors);
      const hostile = await hostileSession(unsafe);
      const agent = await openConsoleAgent(agentContext, unsafe.url, hostile.code, {
        unsafeConsole: true,
      });
      hostile.sendSnapshot(pageSnapshot(1, raw, { url: PAGE, title: mode }));
      await pollUntil(
        "the frame's reports of the blocked image and stylesheets",
        async () =>
          ['img-src', 'style-src-elem'].every((directive) =>
            cspViolations(unsafe).some(
              (v) => v.source === 'frame' && v.blocked === canaryUrl && v.directive === directive,
            ),
          )
            ? true
            : undefined,
        20_000,
        100,
      );
      const facts = await rebuiltFacts(agent.page);
      // Layers one and two were really off: the active nodes are in the frame.
      assert.ok(
        facts.active.some((a) => a.includes('<object>')),
        JSON.stringify(facts.active),
      );
      assert.ok(
        facts.active.some((a) => a.includes('<script>')),
        JSON.stringify(facts.active),
      );
      const until = Date.now() + 1500;
      await pollUntil(
        'the watch window',
        async () => (Date.now() >= until ? true : undefined),
        3000,
        100,
      );
      await expectNothingRan(agent, mode);
      const blocked = cspViolations(unsafe).filter((v) => v.blocked === canaryUrl);
      console.log(`  frame: CSP blocked ${blocked.map((v) => v.directive).join(', ')}`);
      assert.ok(
        blocked.every((v) => v.source === 'frame'),
        'the frame, not the console, blocked them',
      );
      await agent.close();
      await hostile.end();
    } finally {
      await unsafe.stop();
    }
  });
});
