/**
 * Serialize → apply gives the same tree: the snippet's recorder runs on a varied page in real
 * Chromium, the console's mirror rebuilds it in a sandboxed frame on another page, and the two
 * documents are compared after the snapshot and after a burst of mutations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { PAGE_FRAME_CSP } from '../../server/src/transport/security-headers.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { bundleHarness, expectMirrorEqualsSource, type HarnessGlobal } from './support/harness.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const web = fileURLToPath(new URL('../../server/web/', import.meta.url));

describe('round trip: snippet serializer → console mirror', () => {
  let browser: Browser;
  let server: StaticServer;
  let source: Page;
  let mirror: Page;
  let harnessJs: string;
  const sent: string[] = [];

  before(async () => {
    harnessJs = await bundleHarness();
    server = await startStaticServer(`${here}fixtures/round-trip`, {
      '/agent/frame.html': {
        body: `${web}agent/frame.html`,
        headers: { 'content-security-policy': PAGE_FRAME_CSP },
      },
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    source = await context.newPage();
    mirror = await context.newPage();
    await source.goto(`${server.url}/page.html`);
    await mirror.goto(`${server.url}/mirror.html`);
    await source.addScriptTag({ content: harnessJs });
    await mirror.addScriptTag({ content: harnessJs });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Moves the source's pending messages to the mirror. */
  async function relay(): Promise<void> {
    await source.evaluate(() => (globalThis as unknown as HarnessGlobal).tandemHarness.flush());
    const json = await source.evaluate(() =>
      (globalThis as unknown as HarnessGlobal).tandemHarness.take(),
    );
    sent.push(json);
    await mirror.evaluate(
      (messages) => (globalThis as unknown as HarnessGlobal).tandemHarness.apply(messages),
      json,
    );
  }

  /** Waits until both documents normalize to the same tree (frames load asynchronously). */
  async function assertSameTree(what: string, mustInclude: string[]): Promise<void> {
    const actual = await expectMirrorEqualsSource(source, mirror, what);
    // Guards against a vacuous pass (both sides empty, or a frame missing on both).
    for (const text of mustInclude) assert.ok(actual.includes(text), `mirror shows ${text}`);
  }

  it('rebuilds the snapshot: shadow root, frame, svg, form state, masking', async () => {
    await source.locator('#name').fill('Ada Lovelace');
    await source.locator('#pw').fill('hunter2-secret');
    await source.locator('#cc').fill('4111111111111111');
    await source.locator('#cb').check();
    await source.locator('#sel').selectOption('b');
    await source.locator('#ta').fill('typed text');
    await source.locator('#panel').evaluate((el) => {
      el.scrollTop = 120;
    });
    await source.evaluate(() => (globalThis as unknown as HarnessGlobal).tandemHarness.record());
    await relay();
    await assertSameTree('the snapshot to be rebuilt', [
      'shadow text',
      'inside the frame',
      'lineargradient',
      'typed text',
    ]);
    const facts = await mirror.evaluate(() =>
      (globalThis as unknown as HarnessGlobal).tandemHarness.mirrorFacts(),
    );
    assert.equal(facts.scripts, 0, 'no script element is rebuilt');
    assert.equal(facts.handlers, 0, 'no event handler attribute is rebuilt');
    assert.ok(facts.nodes > 50, `mirror tracks nodes (${facts.nodes})`);
    assert.ok(facts.canvasImage, 'the canvas bitmap is shown');
    const pw = mirror.frameLocator('#view').locator('#pw');
    assert.equal(await pw.inputValue(), '•'.repeat('hunter2-secret'.length));
    const scroll = await pollUntil('the panel scroll to follow', async () => {
      const s = await mirror.evaluate(() =>
        (globalThis as unknown as HarnessGlobal).tandemHarness.mirrorScroll('panel'),
      );
      return s.el === 120 ? s : undefined;
    });
    assert.equal(scroll.value.el, 120);
  });

  it('applies a burst of mutations, typing and a frame navigation', async () => {
    await source.evaluate('window.fixture.mutate()');
    await source.locator('#name').fill('Grace Hopper');
    await source.locator('#pw').fill('second-secret');
    await source.locator('#r2').check();
    await source.locator('#sel').selectOption('c');
    await relay();
    await assertSameTree('the mutations to be applied', [
      'new shadow text',
      'added shadow',
      'Grace Hopper',
      'zero',
    ]);

    await source.evaluate('window.fixture.navigateFrame()');
    await pollUntil('the source frame to navigate', async () =>
      (await source.frameLocator('#frame').locator('#frame2-title').count()) > 0 ? true : undefined,
    );
    await source.frameLocator('#frame').locator('#frame-input').fill('typed in frame');
    await source.evaluate('window.scrollTo(0, 300)');
    await relay();
    await assertSameTree('the frame navigation to be applied', ['second page', 'typed in frame']);
    // Scroll events fire on the next animation frame, so keep relaying until the op arrives.
    await pollUntil('the document scroll to follow', async () => {
      await relay();
      const s = await mirror.evaluate(() =>
        (globalThis as unknown as HarnessGlobal).tandemHarness.mirrorScroll('panel'),
      );
      return s.doc === 300 ? s : undefined;
    });
  });

  it('never sends a masked value or script text', () => {
    const wire = sent.join('\n');
    for (const secret of [
      'hunter2-secret',
      'second-secret',
      'preset-secret',
      '4111111111111111',
      'Secret 1234',
      'Secret 5678',
      'script text',
      'alert(1)',
    ]) {
      assert.ok(!wire.includes(secret), `"${secret}" must not be sent`);
    }
  });
});
