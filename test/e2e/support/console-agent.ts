/**
 * The REAL agent console at `/agent/`, signed in with a real token, for the XSS tests: what the
 * server relays to it is read off its own websocket (the wire), canary calls and dialogs are
 * recorded, and the rebuilt page (every frame, nested ones included) can be inspected. Two
 * test-only options: `inject` gives a handle that feeds the console Socket.IO messages directly
 * (Playwright's websocket routing: the server never sees them), and `unsafeConsole` serves a
 * bundle of the console built with its policy switched off (`TANDEM_TEST_UNSAFE_NO_CONSOLE_POLICY`),
 * never the one the server ships.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import type { MutationOp, PageSnapshot } from '../../../server/src/protocol/index.ts';
import { mintTestToken } from '../../support/agent-tokens.ts';
import { pollUntil } from './browser.ts';
import { consoleUrl, type AgentGlobal } from './demo-session.ts';

const web = fileURLToPath(new URL('../../../server/web/', import.meta.url));

export type WireMessage =
  { kind: 'snapshot'; snapshot: PageSnapshot } | { kind: 'batch'; seq: number; ops: MutationOp[] };

export interface ConsoleAgent {
  page: Page;
  /** Every page message the server sent this console, in order, as read off its websocket. */
  wire: WireMessage[];
  canary: string[];
  dialogs: string[];
  /** Sends `event` with `data` to the console as if the server had (only with `inject`). */
  inject(event: string, data: unknown): void;
  close(): Promise<void>;
}

export interface ConsoleAgentOptions {
  /** Route the console's websocket through the test, so that it can inject messages. */
  inject?: boolean;
  /** TEST ONLY: serve a console bundle whose rebuild policy is off. */
  unsafeConsole?: boolean;
}

let unsafeBundle: Promise<string> | undefined;

/** The console, bundled with its policy off: the test-only build, never served by a node. */
export function unsafeConsoleBundle(): Promise<string> {
  unsafeBundle ??= build({
    entryPoints: [`${web}agent/index.ts`],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'warning',
    define: { TANDEM_TEST_UNSAFE_NO_CONSOLE_POLICY: 'true' },
  }).then((result) => result.outputFiles[0]!.text);
  return unsafeBundle;
}

/** Socket.IO text frames for the agent namespace: `42/agent,["event",data]`. */
const AGENT_EVENT = /^42\/agent,/;

/** Opens the console on `code` in a new page of `context` and waits until it is connected. */
export async function openConsoleAgent(
  context: BrowserContext,
  origin: string,
  code: string,
  options: ConsoleAgentOptions = {},
): Promise<ConsoleAgent> {
  const page = await context.newPage();
  const wire: WireMessage[] = [];
  const canary: string[] = [];
  const dialogs: string[] = [];
  await page.exposeFunction('__canary', (id: unknown) => canary.push(String(id)));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const record = (payload: string | Buffer): void => {
    if (typeof payload !== 'string' || !AGENT_EVENT.test(payload)) return;
    const [event, data] = JSON.parse(payload.replace(AGENT_EVENT, '')) as [string, unknown];
    if (event === 'page:snapshot') wire.push({ kind: 'snapshot', snapshot: data as PageSnapshot });
    if (event === 'page:batch') {
      const batch = data as { seq: number; ops: MutationOp[] };
      wire.push({ kind: 'batch', seq: batch.seq, ops: batch.ops });
    }
  };
  let route: WebSocketRoute | undefined;
  if (options.inject) {
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      route = ws;
      const server = ws.connectToServer();
      server.onMessage((message) => {
        record(message);
        ws.send(message);
      });
      ws.onMessage((message) => server.send(message));
    });
  } else {
    page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => record(payload)));
  }
  if (options.unsafeConsole) {
    const js = await unsafeConsoleBundle();
    await page.route(/\/agent\/agent\.js$/, (r) =>
      r.fulfill({ body: js, contentType: 'text/javascript' }),
    );
  }
  const token = await mintTestToken({ name: 'Agent' });
  await page.goto(consoleUrl(origin, code, token));
  await pollUntil(
    'the console to connect',
    () =>
      page.evaluate(() =>
        (globalThis as unknown as AgentGlobal).__tandemAgent?.state() === 'connected'
          ? true
          : undefined,
      ),
    15_000,
  );
  return {
    page,
    wire,
    canary,
    dialogs,
    inject(event, data) {
      if (!route) throw new Error('openConsoleAgent: inject needs { inject: true }');
      route.send(`42/agent,${JSON.stringify([event, data])}`);
    },
    async close() {
      await page.close();
    },
  };
}

/** What the rebuilt page holds, every frame included: counts and anything active or out of place. */
export interface RebuiltFacts {
  elements: number;
  /** Elements inside frames nested in the page (a same-origin iframe's document). */
  framed: number;
  frames: number;
  active: string[];
}

/**
 * Walks the console's rebuilt page (the `#view` frame and every frame inside it). Active: a
 * script, plugin, `<base>`, frame or `http-equiv` element, an event handler, `srcdoc`, a script
 * URL; and any frame without the console's own sandbox and source, or with an attribute only the
 * console may set, or a canvas stand-in showing anything but a PNG data URL.
 */
export function rebuiltFacts(page: Page): Promise<RebuiltFacts> {
  return page.evaluate(`(() => {
    const active = [];
    let elements = 0;
    let framed = 0;
    let frames = 0;
    const visit = (doc, where) => {
      if (!doc) return;
      for (const el of Array.from(doc.querySelectorAll('*'))) {
        elements += 1;
        if (where !== 'view') framed += 1;
        const tag = el.localName;
        if (['script', 'object', 'embed', 'applet', 'base', 'frame', 'frameset', 'portal'].includes(tag)) active.push(where + ' <' + tag + '>');
        if (tag === 'meta' && el.hasAttribute('http-equiv')) active.push(where + ' meta http-equiv');
        for (const a of Array.from(el.attributes)) {
          if (a.name.startsWith('on') || a.name === 'srcdoc') active.push(where + ' ' + tag + ' ' + a.name);
          if (/^[\\s\\u0000-\\u001f]*(javascript|vbscript|livescript):/i.test(a.value.replace(/[\\t\\n\\r]/g, ''))) active.push(where + ' ' + tag + ' ' + a.name + '=' + a.value.slice(0, 40));
        }
        if (tag === 'img' && el.hasAttribute('data-tandem-canvas')) {
          const src = el.getAttribute('src');
          if (src !== null && !src.startsWith('data:image/png')) active.push(where + ' canvas stand-in src=' + src.slice(0, 40));
        }
        if (tag === 'iframe') {
          frames += 1;
          if (el.getAttribute('sandbox') !== 'allow-same-origin') active.push(where + ' iframe sandbox=' + el.getAttribute('sandbox'));
          if (el.getAttribute('src') !== '/agent/frame.html') active.push(where + ' iframe src=' + el.getAttribute('src'));
          for (const name of ['allow', 'csp', 'referrerpolicy', 'allowfullscreen', 'credentialless']) {
            if (el.hasAttribute(name)) active.push(where + ' iframe ' + name);
          }
          let inner = null;
          try { inner = el.contentDocument; } catch {}
          visit(inner, where + '>iframe');
        }
      }
    };
    const view = document.getElementById('view');
    if (view.getAttribute('sandbox') !== 'allow-same-origin') active.push('#view sandbox=' + view.getAttribute('sandbox'));
    visit(view.contentDocument, 'view');
    return { elements, framed, frames, active };
  })()`) as Promise<RebuiltFacts>;
}
