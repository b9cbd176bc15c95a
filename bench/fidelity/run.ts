/**
 * The fidelity suite: each page of pages.ts is opened as the customer, recorded by the snippet's
 * recorder, passed through the server's validators, sanitizer and DOM restrictions exactly as a
 * node would, and rebuilt by the console's mirror in its sandboxed frame (served with the
 * console's Content-Security-Policy: no script of the page runs there). The customer's viewport
 * and the mirror are screenshotted at the same CSS size and compared pixel by pixel. With
 * `rrweb`, the same page is recorded by rrweb and replayed by its Replayer for comparison.
 *
 * Waits are conditions, never fixed delays: operations are awaited by kind, and screenshots are
 * taken once two in a row come out the same (frames, fonts and images load asynchronously).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { MutationOp, PageSnapshot } from '../../server/src/protocol/index.ts';
import { parseBatch, parseSnapshot } from '../../server/src/protocol/validate.ts';
import { PagePipeline } from '../../server/src/dom/pipeline.ts';
import { RestrictionsStep } from '../../server/src/dom/restrictions.ts';
import { SanitizeStep } from '../../server/src/dom/sanitize.ts';
import { PAGE_FRAME_CSP, AGENT_CONSOLE_CSP } from '../../server/src/transport/security-headers.ts';
import { bundleHarness, type HarnessGlobal } from '../../test/e2e/support/harness.ts';
import { startStaticServer, type StaticServer } from '../../test/e2e/support/static-server.ts';
import { FIDELITY_PAGES, INNER_PAGE, type FidelityPage } from './pages.ts';
import { comparePngs, type PixelShare } from './pixels.ts';

const require = createRequire(import.meta.url);
const WEB = new URL('../../server/web/', import.meta.url).pathname;
/** The CSS size both sides are shown at. */
export const VIEWPORT = { width: 800, height: 600 } as const;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Oblique.ttf';

type Message = { kind: 'snapshot'; snapshot: PageSnapshot } | { kind: 'batch'; ops: MutationOp[] };

export interface FidelityRow {
  name: string;
  feature: string;
  tandem: PixelShare;
  rrweb?: PixelShare;
  /** Operations the server dropped (refused or aimed at nothing). */
  dropped: number;
  /** Every relayed message, as the agent received it (for wire checks). */
  wire: string;
  /** Every message as the snippet sent it, before the server saw it. */
  sent: string;
}

export interface FidelityOptions {
  browser: Browser;
  pages?: readonly FidelityPage[];
  /** Also record and replay each page with rrweb. Default false. */
  rrweb?: boolean;
  /** How long to wait for a page's operations or a stable screenshot. Default 10 s. */
  timeoutMs?: number;
}

const MIRROR_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Mirror</title>
<script src="/harness.js"></script>
</head><body><iframe id="view" sandbox="allow-same-origin" src="/agent/frame.html" frameborder="0"
width="${VIEWPORT.width}" height="${VIEWPORT.height}"></iframe></body></html>`;

const REPLAY_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>rrweb</title>
<script src="/rrweb.js"></script><style>html,body{margin:0}iframe{display:block;border:0}
.replayer-mouse{display:none}</style></head><body></body></html>`;

async function routes(pages: readonly FidelityPage[]) {
  const harness = await bundleHarness();
  const rrweb = await readFile(join(dirname(require.resolve('rrweb')), 'rrweb.umd.min.cjs'));
  const html = { 'content-type': 'text/html; charset=utf-8' };
  const table: Record<
    string,
    { body: string | (() => Promise<string | Buffer>); headers?: Record<string, string> }
  > = {
    '/mirror.html': {
      body: async () => MIRROR_HTML,
      headers: { ...html, 'content-security-policy': AGENT_CONSOLE_CSP },
    },
    '/harness.js': { body: async () => harness, headers: { 'content-type': 'text/javascript' } },
    '/rrweb.js': { body: async () => rrweb, headers: { 'content-type': 'text/javascript' } },
    '/replay.html': { body: async () => REPLAY_HTML, headers: html },
    '/agent/frame.html': {
      body: `${WEB}agent/frame.html`,
      headers: { 'content-security-policy': PAGE_FRAME_CSP },
    },
    '/fidelity/inner.html': { body: async () => INNER_PAGE, headers: html },
    '/fidelity/font.ttf': { body: FONT, headers: { 'content-type': 'font/ttf' } },
  };
  for (const page of pages) {
    table[`/fidelity/${page.name}.html`] = { body: async () => page.html, headers: html };
  }
  return table;
}

/** Screenshots `target` until two in a row are the same; returns that one. */
async function stableShot(
  target: Page | Locator,
  timeoutMs: number,
  options: { clip?: { x: number; y: number; width: number; height: number } } = {},
): Promise<Buffer> {
  const started = Date.now();
  let previous = await target.screenshot({ animations: 'disabled', ...options });
  for (;;) {
    const next = await target.screenshot({ animations: 'disabled', ...options });
    if (next.equals(previous) || Date.now() - started > timeoutMs) return next;
    previous = next;
  }
}

/** Records `spec` as the customer; returns the messages as the snippet sent them. */
async function recordTandem(
  context: BrowserContext,
  origin: string,
  spec: FidelityPage,
  harnessJs: string,
  timeoutMs: number,
): Promise<{ customer: Page; messages: Message[] }> {
  const customer = await context.newPage();
  await customer.goto(`${origin}/fidelity/${spec.name}.html`);
  await customer.addScriptTag({ content: harnessJs });
  await spec.before?.(customer);
  await customer.evaluate(() => (globalThis as unknown as HarnessGlobal).tandemHarness.record());
  await spec.after?.(customer);
  const messages: Message[] = [];
  const seen = new Set<string>();
  const started = Date.now();
  for (;;) {
    const json = await customer.evaluate(() => {
      const h = (globalThis as unknown as HarnessGlobal).tandemHarness;
      h.flush();
      return h.take();
    });
    for (const message of JSON.parse(json) as Message[]) {
      messages.push(message);
      if (message.kind === 'batch') for (const op of message.ops) seen.add(op.op);
    }
    if (spec.expect.every((kind) => seen.has(kind))) break;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${spec.name}: no ${spec.expect.filter((k) => !seen.has(k))} operation`);
    }
    await customer.evaluate('new Promise((resolve) => requestAnimationFrame(resolve))');
  }
  return { customer, messages };
}

/** The messages as a node relays them: validated, sanitized and restricted. */
function relay(messages: Message[]): { relayed: Message[]; dropped: number } {
  const pipeline = new PagePipeline([
    new SanitizeStep(),
    new RestrictionsStep({
      mask: [],
      hide: [],
      readOnly: [],
      maskMode: 'length',
      fixedMaskLength: 8,
    }),
  ]);
  const ctx = { sessionId: 'fidelity' };
  const relayed: Message[] = [];
  let dropped = 0;
  let seq = 0;
  for (const message of messages) {
    seq += 1;
    if (message.kind === 'snapshot') {
      const parsed = parseSnapshot(JSON.parse(JSON.stringify({ ...message.snapshot, seq })));
      if (!parsed.ok) throw new Error(`snapshot refused: ${parsed.message}`);
      relayed.push({ kind: 'snapshot', snapshot: pipeline.snapshot(ctx, parsed.value) });
    } else {
      const parsed = parseBatch(JSON.parse(JSON.stringify({ seq, sentAt: 1, ops: message.ops })));
      if (!parsed.ok) throw new Error(`batch refused: ${parsed.message}`);
      const batch = pipeline.batch(ctx, parsed.value);
      if (!batch) throw new Error('batch refused: no snapshot before it');
      dropped += parsed.value.ops.length - batch.ops.length;
      relayed.push({ kind: 'batch', ops: batch.ops });
    }
  }
  return { relayed, dropped };
}

async function mirrorShot(
  context: BrowserContext,
  origin: string,
  wire: string,
  timeoutMs: number,
): Promise<Buffer> {
  const mirror = await context.newPage();
  await mirror.goto(`${origin}/mirror.html`);
  await mirror.evaluate(
    (json) => (globalThis as unknown as HarnessGlobal).tandemHarness.apply(json),
    wire,
  );
  // The frame loads its page asynchronously; the tree moves in once it has.
  await mirror.waitForFunction(`(() => {
    const doc = document.querySelector('#view')?.contentDocument;
    return !!doc && doc.URL !== 'about:blank' && doc.readyState === 'complete' && !!doc.body;
  })()`);
  const shot = await stableShot(mirror.locator('#view'), timeoutMs);
  await mirror.close();
  return shot;
}

/** The same page recorded by rrweb and shown by rrweb's Replayer at the end of the recording. */
async function rrwebShot(
  context: BrowserContext,
  origin: string,
  spec: FidelityPage,
  timeoutMs: number,
): Promise<Buffer> {
  const page = await context.newPage();
  await page.goto(`${origin}/fidelity/${spec.name}.html`);
  await page.addScriptTag({ url: '/rrweb.js' });
  await spec.before?.(page);
  await page.evaluate(
    `window.__events = []; rrweb.record({ emit: (e) => window.__events.push(e), recordCanvas: true, collectFonts: true, inlineImages: true }); 0`,
  );
  await spec.after?.(page);
  // rrweb emits as it goes (canvas frames on its own clock): until the count holds still.
  let count = -1;
  const started = Date.now();
  for (;;) {
    await page.evaluate('new Promise((resolve) => setTimeout(resolve, 250))');
    const now = await page.evaluate('window.__events.length');
    if (now === count || Date.now() - started > timeoutMs) break;
    count = now as number;
  }
  const events = (await page.evaluate('JSON.stringify(window.__events)')) as string;
  await page.close();
  const replay = await context.newPage();
  await replay.goto(`${origin}/replay.html`);
  await replay.evaluate(`(() => {
    const events = JSON.parse(${JSON.stringify(events)});
    const r = new rrweb.Replayer(events, { root: document.body, mouseTail: false, showWarning: false,
      UNSAFE_replayCanvas: true, triggerFocus: true });
    r.pause(events[events.length - 1].timestamp - events[0].timestamp + 1000);
    window.__replayer = r;
  })()`);
  const shot = await stableShot(replay.locator('iframe'), timeoutMs);
  await replay.close();
  return shot;
}

/** With FIDELITY_SHOTS=dir, every screenshot is kept there to look at. */
async function keepShots(name: string, shots: Record<string, Buffer>): Promise<void> {
  const dir = process.env.FIDELITY_SHOTS;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  for (const [side, png] of Object.entries(shots))
    await writeFile(join(dir, `${name}.${side}.png`), png);
}

/** Runs every page; one row each. */
export async function runFidelity(options: FidelityOptions): Promise<FidelityRow[]> {
  const pages = options.pages ?? FIDELITY_PAGES;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server: StaticServer = await startStaticServer(WEB, await routes(pages));
  const harnessJs = await bundleHarness();
  const context = await options.browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const compare = await context.newPage();
  const rows: FidelityRow[] = [];
  try {
    for (const spec of pages) {
      const { customer, messages } = await recordTandem(
        context,
        server.url,
        spec,
        harnessJs,
        timeoutMs,
      );
      const customerShot = await stableShot(customer, timeoutMs);
      await customer.close();
      const { relayed, dropped } = relay(messages);
      const wire = JSON.stringify(relayed);
      const mirrored = await mirrorShot(context, server.url, wire, timeoutMs);
      await keepShots(spec.name, { customer: customerShot, tandem: mirrored });
      const tandem = await comparePngs(compare, customerShot, mirrored);
      const sent = JSON.stringify(messages);
      const row: FidelityRow = {
        name: spec.name,
        feature: spec.feature,
        tandem,
        dropped,
        wire,
        sent,
      };
      if (options.rrweb) {
        const replayed = await rrwebShot(context, server.url, spec, timeoutMs);
        await keepShots(spec.name, { rrweb: replayed });
        row.rrweb = await comparePngs(compare, customerShot, replayed);
      }
      rows.push(row);
    }
  } finally {
    await context.close();
    await server.stop();
  }
  return rows;
}
