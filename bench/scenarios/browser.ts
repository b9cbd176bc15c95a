/**
 * The client side in Chromium: snapshot cost of generated pages (Tandem's snippet against rrweb's
 * record + @rrweb/packer), mutation overhead (no recorder, rrweb, Tandem), and how long an agent
 * joining mid-session waits for the first render in the console.
 * CPU is Chromium's own main-thread task time (CDP `Performance.getMetrics` TaskDuration);
 * the longest task comes from a `longtask` PerformanceObserver (tasks under 50 ms are not listed,
 * so 0 means "none of 50 ms or more").
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { pack } from '@rrweb/packer';
import type { eventWithTime } from '@rrweb/types';
import type { Browser, Page } from 'playwright-core';
import { packTree } from '../../server/src/protocol/packed-tree.ts';
import { parseSnapshot } from '../../server/src/protocol/validate.ts';
import { launchChromium } from '../../test/e2e/support/browser.ts';
import { mintTestToken } from '../../test/support/agent-tokens.ts';
import { deploy, type Deployment } from '../lib/contenders.ts';
import { generatePageBody, pageHtml } from '../lib/pages.ts';
import type { Pinning } from '../lib/processes.ts';
import { interleave, type RepResult, type ScenarioResult } from '../lib/results.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { MUTATION_WORKLOADS } from './mutation-workloads.ts';

const require = createRequire(import.meta.url);

interface Env {
  browser: Browser;
  tandem: Deployment;
  rrwebJs: string;
  /** The generated shop's origin (a loopback server: Chromium keeps public pages off loopback). */
  shop: string;
  /** What the shop serves next. */
  pages: Map<string, string>;
}

/** The shop: serves the page stored under the path asked for. */
async function startShop(pages: Map<string, string>): Promise<{ origin: string; close(): void }> {
  const server = createServer((req, res) => {
    const body = pages.get(req.url ?? '/');
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

let pageCounter = 0;

type Recorder = 'tandem' | 'rrweb' | 'none';

/** In-page code is passed as strings: tsx would otherwise wrap functions in a `__name` helper the page lacks. */
const START_TANDEM = 'window.Tandem.start()';

const OBSERVE_LONG_TASKS = `window.__longest = 0; new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
}).observe({ type: 'longtask', buffered: true });`;

/** Opens a page of generated markup on the shop's origin, with the recorder's script loaded. */
async function openPage(env: Env, body: string, recorder: Recorder): Promise<Page> {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const head =
    recorder === 'tandem' ? `<script src="${env.tandem.customerUrl}/tandem.js"></script>` : '';
  const path = `/page-${++pageCounter}`;
  env.pages.set(path, pageHtml(body, head));
  await page.addInitScript(OBSERVE_LONG_TASKS);
  const failures: string[] = [];
  page.on('requestfailed', (r) => failures.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) failures.push(`${r.url()}: HTTP ${r.status()}`);
  });
  await page.goto(`${env.shop}${path}`);
  env.pages.delete(path);
  if (recorder === 'tandem' && !(await page.evaluate('typeof window.Tandem === "object"'))) {
    throw new Error(`the snippet did not load (${failures.join('; ') || 'no failed request'})`);
  }
  if (recorder === 'rrweb') await page.addScriptTag({ content: env.rrwebJs });
  return page;
}

async function taskSeconds(page: Page, run: () => Promise<void>): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };
  const before = await read();
  await run();
  return (await read()) - before;
}

/** What the snippet sent for its snapshot: the Socket.IO text frame and its binary attachments. */
interface SentSnapshot {
  wireBytes: number;
  frame: string;
  attachments: Buffer[];
}

function captureSnapshot(page: Page): Promise<SentSnapshot> {
  return new Promise((resolve) =>
    page.on('websocket', (ws) => {
      let sent: SentSnapshot | undefined;
      let pending = 0;
      ws.on('framesent', ({ payload }) => {
        if (sent && pending > 0) {
          const bytes = Buffer.from(payload);
          sent.attachments.push(bytes);
          sent.wireBytes += bytes.byteLength;
          if (--pending === 0) resolve(sent);
          return;
        }
        if (typeof payload !== 'string' || !payload.includes('"page:snapshot"')) return;
        sent = { wireBytes: Buffer.byteLength(payload), frame: payload, attachments: [] };
        // A binary event is `45<attachments>-/namespace,[...]`; its attachments follow as frames.
        pending = Number(/^45(\d+)-/.exec(payload)?.[1] ?? 0);
        if (pending === 0) resolve(sent);
      });
    }),
  );
}

/**
 * The tree the snippet sent, in the plain form too: plain JSON against the packed tree, raw and
 * deflated, for the same page in the same run (how the packed form was chosen).
 */
function encodings(sent: SentSnapshot): Record<string, number> {
  const [, message] = JSON.parse(sent.frame.slice(sent.frame.indexOf('['))) as [
    string,
    Record<string, unknown>,
  ];
  const tree = sent.attachments[0] ?? Buffer.alloc(0);
  const packedText = message.compression === 'deflate-raw' ? inflateRawSync(tree) : tree;
  // Inflated once, above: the validator reads the packed text as it is.
  const parsed = parseSnapshot(
    { ...message, tree: packedText, compression: 'none' },
    Number.POSITIVE_INFINITY,
  );
  if (!parsed.ok) throw new Error(`the snippet's snapshot does not parse: ${parsed.message}`);
  const doc = parsed.value.doc;
  const time = (run: () => string): [number, string] => {
    const started = performance.now();
    const out = run();
    return [performance.now() - started, out];
  };
  const [plainMs, plain] = time(() => JSON.stringify(doc));
  const [packMs] = time(() => packTree(doc));
  return {
    rawKB: packedText.byteLength / 1024,
    plainKB: Buffer.byteLength(plain) / 1024,
    plainDeflateKB: deflateRawSync(plain).byteLength / 1024,
    plainEncodeMs: plainMs,
    packedEncodeMs: packMs,
  };
}

async function measureSnapshot(
  env: Env,
  recorder: 'tandem' | 'rrweb',
  nodes: number,
  rep: number,
): Promise<RepResult> {
  const page = await openPage(env, generatePageBody(nodes), recorder);
  try {
    await page.evaluate('new Promise((resolve) => setTimeout(resolve, 100))');
    await page.evaluate('window.__longest = 0');
    let sent: SentSnapshot | undefined;
    let raw = '';
    const cpu = await taskSeconds(page, async () => {
      if (recorder === 'tandem') {
        const captured = captureSnapshot(page);
        await page.evaluate(START_TANDEM);
        sent = await captured;
      } else {
        raw = await page.evaluate<string>(
          `(() => { const events = []; const stop = rrweb.record({ emit: (e) => events.push(e) }); stop(); return JSON.stringify(events); })()`,
        );
      }
    });
    const longest = await page.evaluate<number>('window.__longest');
    const figures: Record<string, number> = { cpuMs: cpu * 1000, longestTaskMs: longest };
    if (sent) {
      Object.assign(figures, { wireKB: sent.wireBytes / 1024 }, encodings(sent));
    } else {
      const packed = (JSON.parse(raw) as eventWithTime[]).reduce((n, e) => n + pack(e).length, 0);
      Object.assign(figures, { wireKB: packed / 1024, rawKB: Buffer.byteLength(raw) / 1024 });
    }
    return { rep, figures, valid: true };
  } finally {
    await page.close();
  }
}

async function measureMutation(
  env: Env,
  recorder: Recorder,
  iterations: number,
  rep: number,
): Promise<RepResult> {
  const figures: Record<string, number> = {};
  for (const workload of MUTATION_WORKLOADS) {
    const page = await openPage(env, workload.setup, recorder);
    try {
      if (recorder === 'tandem') {
        // Measured from after the first snapshot, as rrweb's (taken inside record()) is.
        const sent = captureSnapshot(page);
        await page.evaluate(START_TANDEM);
        await sent;
      }
      if (recorder === 'rrweb')
        await page.evaluate('window.__n = 0; rrweb.record({ emit: () => void window.__n++ }); 0');
      // Each step yields to the event loop, so that observers, batching timers and sends run
      // inside the measured time.
      const cpu = await taskSeconds(page, () =>
        page.evaluate(`(async () => {
          const step = new Function('i', ${JSON.stringify(workload.step)});
          for (let i = 0; i < ${iterations}; i++) {
            step(i);
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        })()`),
      );
      figures[`${workload.name}Ms`] = cpu * 1000;
    } finally {
      await page.close();
    }
  }
  figures.totalMs = Object.values(figures).reduce((a, b) => a + b, 0);
  return { rep, figures, valid: true };
}

/**
 * An agent with the console open enters the customer's code: time until the console has built
 * 90% of the page's nodes and painted a frame. Loading the console itself (a new tab, its
 * renderer, the bundle) is reported beside it, and is paid once per shift, not per join.
 */
async function measureJoin(env: Env, nodes: number, rep: number): Promise<RepResult> {
  const customer = await openPage(env, generatePageBody(nodes), 'tandem');
  const agent = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    const code = await customer.evaluate<string>(START_TANDEM);
    const token = await mintTestToken({ name: 'Bench' });
    const opened = performance.now();
    await agent.goto(`${env.tandem.agentUrl}/agent/?name=Bench#token=${token}`);
    await agent.waitForSelector('#code', { state: 'visible' });
    const consoleLoadMs = performance.now() - opened;
    await agent.fill('#code', code);
    const want = Math.floor(nodes * 0.9);
    const started = performance.now();
    await agent.press('#code', 'Enter');
    // Checked once per animation frame, in the page (the console's CSP forbids the string
    // evaluation `waitForFunction` relies on).
    const rendered = await agent.evaluate<boolean>(`new Promise((resolve) => {
      const check = () => (window.__tandemAgent?.nodeCount() ?? 0) >= ${want}
        ? resolve(true) : requestAnimationFrame(check);
      check();
      setTimeout(() => resolve(false), 20000);
    })`);
    const elapsed = performance.now() - started;
    const count = await agent.evaluate<number>('window.__tandemAgent?.nodeCount() ?? 0');
    return {
      rep,
      figures: {
        firstRenderMs: rendered ? elapsed : Number.NaN,
        consoleLoadMs,
        nodesRendered: count,
      },
      valid: rendered,
      ...(!rendered && { note: `only ${count} of ${nodes} nodes rendered` }),
    };
  } finally {
    await agent.close();
    await customer.close();
  }
}

export async function runBrowserScenarios(
  settings: BenchSettings,
  pinning: Pinning,
  ids: string[],
): Promise<ScenarioResult[]> {
  const pages = new Map<string, string>();
  const shop = await startShop(pages);
  const tandem = await deploy(
    { name: 'tandem', kind: 'tandem', nodes: 1 },
    { pinning, redis: null, corsOrigins: [shop.origin] },
  );
  const browser = await launchChromium();
  const rrwebJs = await readFile(
    join(dirname(require.resolve('rrweb')), 'rrweb.umd.min.cjs'),
    'utf8',
  );
  // The UMD build defines `window.rrweb` when loaded as a plain script.
  const env: Env = { browser, tandem, rrwebJs, shop: shop.origin, pages };
  const results: ScenarioResult[] = [];
  try {
    if (ids.includes('snapshot')) {
      const variants = [];
      for (const nodes of settings.pageSizes) {
        const contenders = await interleave(
          [{ name: 'rrweb' as const }, { name: 'tandem' as const }],
          settings.reps,
          (c, rep) => measureSnapshot(env, c.name, nodes, rep),
          'rrweb',
        );
        variants.push({ label: `${nodes} nodes`, contenders });
      }
      results.push({
        id: 'snapshot',
        title: 'Snapshot of a generated page in Chromium: Tandem snippet vs rrweb record',
        baseline: 'rrweb',
        headline: { figure: 'cpuMs', unit: 'ms', lowerIsBetter: true },
        shown: [
          'cpuMs',
          'longestTaskMs',
          'wireKB',
          'rawKB',
          'plainKB',
          'plainDeflateKB',
          'plainEncodeMs',
          'packedEncodeMs',
        ],
        target: 'longest task ≤50 ms, CPU ≤0.7× rrweb, bytes ≤0.5× rrweb+packer',
        variants,
        notes: [
          'Tandem: Tandem.start() until the snapshot frames leave (connect and session start included); rrweb: record() then stop()',
          'wireKB: what is sent (Tandem: the Socket.IO frames of the packed, deflated tree; rrweb: @rrweb/packer pack() per event); rawKB: before compression (Tandem: the packed tree; rrweb: JSON)',
          'plainKB / plainDeflateKB / plainEncodeMs: the same tree as plain JSON (the format before the packed tree), raw and deflated, and JSON.stringify time in Node against packTree (packedEncodeMs)',
          `Tandem's server refuses snapshots over limits.maxNodes (100 000); the snippet's cost is measured regardless`,
        ],
      });
    }
    if (ids.includes('mutation')) {
      const contenders = await interleave(
        [{ name: 'none' as const }, { name: 'rrweb' as const }, { name: 'tandem' as const }],
        settings.reps,
        (c, rep) => measureMutation(env, c.name, settings.mutationIterations, rep),
        'none',
      );
      results.push({
        id: 'mutation',
        title: 'Mutation workloads: main-thread task time with no recorder, rrweb, Tandem',
        baseline: 'none',
        headline: { figure: 'totalMs', unit: 'ms', lowerIsBetter: true },
        shown: ['totalMs', ...MUTATION_WORKLOADS.map((w) => `${w.name}Ms`)],
        target: "Tandem's overhead over no recorder ≤0.7× rrweb's",
        variants: [{ label: `${settings.mutationIterations} iterations each`, contenders }],
        notes: [
          'overhead = recorder total − none total; compare the ratios: (tandem − 1) against (rrweb − 1)',
          "measured from after each recorder's first snapshot (rrweb takes it inside record(); Tandem's is awaited on the wire)",
        ],
      });
    }
    if (ids.includes('agent-join')) {
      const contenders = await interleave(
        [{ name: 'tandem' }],
        settings.reps,
        (_c, rep) => measureJoin(env, settings.joinPageNodes, rep),
        'tandem',
      );
      results.push({
        id: 'agent-join',
        title: `Agent joins mid-session on a ${settings.joinPageNodes}-node page: code entered in the open console → first render`,
        baseline: 'tandem',
        headline: { figure: 'firstRenderMs', unit: 'ms', lowerIsBetter: true },
        shown: ['firstRenderMs', 'consoleLoadMs', 'nodesRendered'],
        target: '≤500 ms',
        variants: [{ label: `${settings.joinPageNodes} nodes`, contenders }],
        notes: [
          'firstRenderMs: from pressing Enter on the code in the open console until 90% of the nodes are in the mirror, checked once per animation frame; no baseline',
          'consoleLoadMs: opening the console in a new tab until the code field shows (once per shift; the figure before this split counted both)',
        ],
      });
    }
  } finally {
    await browser.close();
    await tandem.stop();
    shop.close();
  }
  return results;
}
