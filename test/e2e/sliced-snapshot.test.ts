/**
 * A large snapshot is taken in time slices, and the page keeps changing between them: appends,
 * removals, moves across the part already walked and the part not yet walked, attribute and text
 * changes, a field becoming masked. After the snapshot and the batch that follows it, the
 * console's mirror must equal the customer's page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { mirrorRoutes } from './support/agent-view.ts';
import { expectMirrorEqualsSource, type HarnessGlobal } from './support/harness.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** About 10 000 nodes. */
const LARGE_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Large</title></head><body>' +
  Array.from(
    { length: 100 },
    (_, s) =>
      `<section id="s${s}"><h2>section ${s}</h2><ul>` +
      Array.from(
        { length: 24 },
        (_, i) => `<li class="i${i % 3}" data-k="${s}-${i}">item ${s}-${i}</li>`,
      ).join('') +
      `</ul><input id="f${s}" value="value ${s}"></section>`,
  ).join('') +
  '</body></html>';

/**
 * Runs in the page: one change per task while the snapshot is in progress, spread over the whole
 * page (so some land before the walk's position and some after), until `done` is set.
 */
const MUTATE = `(() => {
  const state = { done: false, steps: 0 };
  let i = 0;
  const sections = () => document.querySelectorAll('section');
  const tick = () => {
    if (state.done) return;
    const all = sections();
    const pick = (k) => all[(i * 37 + k * 101) % all.length];
    const a = pick(0), b = pick(1);
    // Every kind of change in every task: the walk is somewhere in the middle each time.
    const li = document.createElement('li');
    li.textContent = 'added ' + i;
    a.querySelector('ul').prepend(li);
    b.querySelector('li')?.remove();
    const last = a.querySelector('li:last-child');
    if (last) b.querySelector('ul').append(last);
    a.setAttribute('data-v', String(i));
    b.querySelector('h2').firstChild.data = 'renamed ' + i;
    // The first section (walked at once) moves to the end (not walked yet).
    document.body.append(all[0]);
    if (i % 5 === 0) b.querySelector('input').setAttribute('data-tandem-mask', '');
    i++;
    state.steps++;
    channel.port2.postMessage(null);
  };
  // Messages, as the snippet's slices are: timers would wait behind them.
  const channel = new MessageChannel();
  channel.port1.onmessage = tick;
  channel.port2.postMessage(null);
  return state;
})()`;

describe('sliced snapshot: the page changes while it is serialized', () => {
  let browser: Browser;
  let server: StaticServer;
  let source: Page;
  let mirror: Page;

  before(async () => {
    const routes = await mirrorRoutes();
    server = await startStaticServer(`${here}fixtures/round-trip`, {
      ...routes,
      '/large.html': { body: async () => LARGE_PAGE, headers: { 'content-type': 'text/html' } },
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    source = await context.newPage();
    mirror = await context.newPage();
    await source.goto(`${server.url}/large.html`);
    await source.addScriptTag({ url: `${server.url}/harness.js` });
    await mirror.goto(`${server.url}/mirror.html`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('ends with the mirror equal to the page, without long tasks', async () => {
    // Slices of 1 ms: the walk yields every few hundred nodes, so the page changes many times
    // during the snapshot however fast the machine is.
    const steps = await source.evaluate<number>(`(async () => {
      const state = ${MUTATE};
      // Started inside a task of its own, as a socket event would start it.
      await new Promise((resolve) => setTimeout(() => resolve(window.tandemHarness.record(1)), 0));
      state.done = true;
      return state.steps;
    })()`);
    // Vacuous unless the page really changed between slices.
    assert.ok(steps >= 6, `the page changed ${steps} times during the snapshot`);

    await source.evaluate(() => (globalThis as unknown as HarnessGlobal).tandemHarness.flush());
    const json = await source.evaluate(() =>
      (globalThis as unknown as HarnessGlobal).tandemHarness.take(),
    );
    const messages = JSON.parse(json) as Array<{ kind: string }>;
    assert.equal(messages[0]?.kind, 'snapshot');
    assert.equal(messages.filter((m) => m.kind === 'snapshot').length, 1);
    assert.ok(messages.length >= 2, 'the changes follow the snapshot as a batch');
    await mirror.evaluate(
      (m) => (globalThis as unknown as HarnessGlobal).tandemHarness.apply(m),
      json,
    );

    const actual = await expectMirrorEqualsSource(source, mirror, 'mirror equals page');
    assert.ok(actual.includes('renamed'), 'changes made during the snapshot are shown');
    assert.ok(actual.includes('added'), 'nodes added during the snapshot are shown');
  });
});
