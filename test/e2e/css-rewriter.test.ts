/**
 * The server's CSS rewriter (server/src/proxy/css-urls.ts) against a real browser's CSS parser.
 * Generated hostile CSS (server/src/proxy/css-fuzz-corpus.ts) is rewritten with a mapper that
 * marks every URL it is shown; Chromium then reads the output, as `<style>` sheets and as `style`
 * attributes, on elements that use every property. Two oracles: every request the page makes
 * goes to a marked URL, and every URL in the CSSOM Chromium built (`cssText`, `@import` hrefs)
 * is a marked one. A URL the rewriter's tokenizer missed would show up in one or the other.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { hostileCss } from '../../server/src/proxy/css-fuzz-corpus.ts';
import { rewriteCss } from '../../server/src/proxy/css-urls.ts';
import { launchChromium } from './support/browser.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';

const MARK = '/proxy/r/ok-';

/** Elements that make Chromium fetch what the CSS names: backgrounds, lists, fonts, cursors. */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>oracle</title></head>
<body><div id="a" class="x">text</div><ul><li>item</li></ul><p style="font-family:q">font</p>
<a href="#" class="x">link</a><svg width="9" height="9"><rect width="9" height="9"/></svg></body></html>`;

/**
 * Adds each sheet as a `<style>` and as a `style` attribute, and returns every URL in what
 * Chromium parsed. A string, so that no helper the test runner's compiler adds ends up in the page.
 */
const READ_SHEETS = `(sheets) => {
  const urls = [];
  const read = (text) => {
    for (const m of text.matchAll(/url\\("((?:[^"\\\\]|\\\\.)*)"\\)/g)) urls.push(m[1].replace(/\\\\(.)/g, '$1'));
  };
  const walk = (rules) => {
    for (const rule of Array.from(rules)) {
      read(rule.cssText);
      if (rule instanceof CSSImportRule) urls.push(rule.href);
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const css of sheets) {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
    if (style.sheet) walk(style.sheet.cssRules);
    const el = document.createElement('div');
    el.className = 'x';
    el.textContent = 'x';
    el.setAttribute('style', css);
    document.body.append(el);
    read(el.style.cssText);
  }
  return urls;
}`;

describe('the CSS rewriter in Chromium', () => {
  let statics: StaticServer;
  let browser: Browser;

  before(async () => {
    statics = await startStaticServer('/nonexistent', {
      '/oracle.html': { body: PAGE, headers: { 'content-type': 'text/html' } },
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await statics?.stop();
  });

  it('leaves Chromium nothing to load but the URLs it mapped', async () => {
    const corpus = hostileCss(0x5eed, 600);
    const rewritten: string[] = [];
    for (const css of corpus) {
      const out = rewriteCss(css, () => `${MARK}${rewritten.length}`);
      if (out !== null) rewritten.push(out);
    }
    const page = await browser.newPage();
    const stray: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/oracle.html' || url.pathname.startsWith(MARK)) {
        return route.fulfill({
          status: url.pathname.startsWith(MARK) ? 404 : 200,
          body: url.pathname === '/oracle.html' ? PAGE : '',
          contentType: 'text/html',
        });
      }
      stray.push(url.href);
      return route.abort();
    });
    await page.goto(`${statics.url}/oracle.html`);
    const seen = (await page.evaluate(
      `(${READ_SHEETS})(${JSON.stringify(rewritten)})`,
    )) as string[];
    // Style and layout run (and start every load) before the next frames; fonts settle after.
    await page.evaluate(
      '(async () => { await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); await document.fonts.ready; })()',
    );
    await page.close();
    const unmarked = seen.filter((url) => !new URL(url, statics.url).pathname.startsWith(MARK));
    console.log(
      `  ${rewritten.length} rewritten sheets; Chromium read ${seen.length} URLs from them`,
    );
    assert.ok(seen.length > 200, 'the corpus gave Chromium URLs to read');
    assert.deepEqual(unmarked, [], 'every URL in the CSSOM was mapped');
    assert.deepEqual(stray, [], 'every request went to a mapped URL');
  });
});
