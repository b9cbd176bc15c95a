/**
 * `Tandem.start()` fails with a stable code and a readable message, in real Chromium: a page whose
 * origin is not allowlisted gets `forbidden_origin`, and a page whose Tandem server is gone gets
 * `unreachable` (it used to say "Connecting…" forever), and a page that loads a snippet of
 * another protocol version gets `unsupported_protocol`; the session ends on the page and the
 * widget says why.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startOrigin, type Origin } from '../support/origins.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium } from './support/browser.ts';
import { waitForWidget } from './support/widget.ts';

const SNIPPET = fileURLToPath(new URL('../../server/dist/web/tandem.js', import.meta.url));
const page = (src: string): string =>
  `<!doctype html><title>Shop</title><script src="${src}"></script><h1>Shop</h1>`;
const START = `Tandem.start().then(
  (code) => ({ ok: true, code }),
  (e) => ({ ok: false, name: e.name, code: e.code, message: e.message, state: Tandem.state }),
)`;

describe('Tandem.start() says why it failed', () => {
  let server: RunningServer;
  let stranger: Origin;
  let orphan: Origin;
  let browser: Browser;
  const pages: Page[] = [];

  before(async () => {
    server = await startServer();
    const snippet = await readFile(SNIPPET);
    let serverUrl = '';
    stranger = await startOrigin('127.0.0.3', {
      '/': () => ({
        headers: { 'content-type': 'text/html' },
        body: page(`${serverUrl}/tandem.js`),
      }),
    });
    serverUrl = server.url;
    // A page whose snippet came from a server that then went away.
    orphan = await startOrigin('127.0.0.4', {
      '/': { headers: { 'content-type': 'text/html' }, body: page('/tandem.js') },
      '/tandem.js': { headers: { 'content-type': 'text/javascript' }, body: snippet },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await stranger?.stop();
  });

  const open = async (url: string): Promise<Page> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const p = await context.newPage();
    pages.push(p);
    await p.goto(url);
    return p;
  };

  it('rejects with forbidden_origin on a page the server does not allow', async () => {
    const p = await open(`${stranger.url}/`);
    const result = (await p.evaluate(START)) as Record<string, unknown>;
    assert.equal(result.ok, false);
    assert.equal(result.name, 'TandemError');
    assert.equal(result.code, 'forbidden_origin');
    assert.match(String(result.message), /cross-origin\.allowedOrigins/);
    assert.equal(result.state, 'ended');
  });

  it('rejects with unreachable when nothing answers', async () => {
    const p = await open(`${orphan.url}/`);
    await orphan.stop();
    const result = (await p.evaluate(START)) as Record<string, unknown>;
    assert.equal(result.ok, false);
    assert.equal(result.code, 'unreachable');
    assert.match(String(result.message), /cannot be reached/);
    assert.equal(result.state, 'ended');
  });

  it('rejects with unsupported_protocol when the snippet speaks another version', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    // A stale copy of the snippet (a CDN that kept an old build): it asks for protocol 0.
    const stale = (await readFile(SNIPPET, 'utf8')).replaceAll('{protocol:1,', '{protocol:0,');
    assert.notEqual(stale, await readFile(SNIPPET, 'utf8'), 'the bundle names its protocol');
    await context.route(`${server.url}/tandem.js`, (route) =>
      route.fulfill({ contentType: 'text/javascript', body: stale }),
    );
    const p = await context.newPage();
    pages.push(p);
    await p.goto(`${server.url}/demo/`);
    const result = (await p.evaluate(START)) as Record<string, unknown>;
    assert.equal(result.ok, false);
    assert.equal(result.code, 'unsupported_protocol');
    assert.match(String(result.message), /tandem\.js/);
    assert.equal(result.state, 'ended');
    await waitForWidget(context, p, /no longer speaks/);
  });
});
