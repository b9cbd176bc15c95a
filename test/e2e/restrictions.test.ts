/**
 * DOM restrictions end to end, in real Chromium against a real node: masked text and values never
 * leave the customer's browser (every websocket frame it sends is captured) nor reach the agent's
 * view; hidden elements arrive as empty boxes of the same size; the data attributes work; later
 * mutations and typed values are masked; and a hostile client that sends everything unmasked
 * still shows the agent masked data, because the server enforces the same rules again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCustomerSession } from '../support/customer-session.ts';
import { element, pageSnapshot, text } from '../support/pages.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { AGENT_SECRET, mirrorRoutes, openAgentView, type AgentView } from './support/agent-view.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { startStaticServer, type StaticServer } from './support/static-server.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const SECRETS = {
  typedPassword: 'TypedPw-8842',
  typedCard: '4111111111111111',
  classText: 'ClassSecret-1177',
  markedText: 'MarkedSecret-2291',
  photo: 'PhotoSecret-3305',
  hiddenText: 'HiddenSecret-4410',
  mutation: 'MutationSecret-5523',
  later: 'LaterSecret-6631',
  title: 'TitleSecret-7719',
};

function shopPage(tandemUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script src="${tandemUrl}/tandem.js"></script></head><body>
<input id="pw" type="password"> <input id="card" autocomplete="cc-number"> <input id="name">
<p class="secret" id="cs" title="${SECRETS.title}">${SECRETS.classText}</p>
<div data-tandem-mask id="dm"><b>${SECRETS.markedText}</b></div>
<div class="photo" id="ph" style="width:150px;height:90px">${SECRETS.photo}</div>
<section data-tandem-hide id="dh"><p style="width:200px;height:40px;margin:0">${SECRETS.hiddenText}</p></section>
<span id="inl" data-tandem-hide>inline ${SECRETS.hiddenText}</span>
<div id="later">plain text</div>
<button class="pay" id="pay">Pay</button>
</body></html>`;
}

describe('DOM restrictions in the browser and on the server', { concurrency: false }, () => {
  let tandem: RunningServer;
  let statics: StaticServer;
  let browser: Browser;
  let customerContext: BrowserContext;
  let agentContext: BrowserContext;
  let customer: Page;
  const sentByCustomer: string[] = [];

  before(async () => {
    let tandemUrl = '';
    statics = await startStaticServer('/nonexistent', {
      ...(await mirrorRoutes()),
      '/shop.html': {
        body: async () => shopPage(tandemUrl),
        headers: { 'content-type': 'text/html' },
      },
    });
    tandem = await startServer({
      'cross-origin': { allowedOrigins: [statics.url] },
      agents: { secret: AGENT_SECRET },
      'dom-restrictions': { mask: ['.secret'], hide: ['.photo'], readOnly: ['.pay'] },
    });
    tandemUrl = tandem.url;
    browser = await launchChromium();
    customerContext = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1000, height: 700 },
    });
    agentContext = await browser.newContext({ ignoreHTTPSErrors: true });
    customer = await customerContext.newPage();
    customer.on('websocket', (ws) =>
      ws.on('framesent', (frame) => sentByCustomer.push(String(frame.payload))),
    );
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await statics?.stop();
  });

  const frameEval = <T>(view: AgentView, fn: string): Promise<T> =>
    view.page.evaluate(
      `(() => { const doc = document.querySelector('iframe').contentDocument; return (${fn})(doc); })()`,
    ) as Promise<T>;

  it('masks, hides and keeps masking what changes later; nothing secret leaves the browser', async () => {
    await customer.goto(`${statics.url}/shop.html`);
    const code = await customer.evaluate(() =>
      (globalThis as unknown as { Tandem: { start(): Promise<string> } }).Tandem.start(),
    );
    const view = await openAgentView(agentContext, tandem.url, `${statics.url}/mirror.html`, code);
    await pollUntil(
      'the page in the agent view',
      async () =>
        (await frameEval<number>(view, '(d) => d.querySelectorAll("*").length')) > 10
          ? true
          : undefined,
      10_000,
    );

    await customer.locator('#pw').pressSequentially(SECRETS.typedPassword);
    await customer.locator('#card').pressSequentially(SECRETS.typedCard);
    await customer.locator('#name').pressSequentially('Ada');
    await customer.evaluate(`(() => {
      const span = document.createElement('span');
      span.className = 'secret';
      span.id = 'mut';
      span.textContent = ${JSON.stringify(SECRETS.mutation)};
      document.body.append(span);
      document.getElementById('later').classList.add('secret');
    })()`);
    await pollUntil(
      'the class change to reach the agent',
      async () =>
        (await frameEval<string>(view, '(d) => d.getElementById("later")?.textContent ?? ""')) ===
        '••••••••••'
          ? true
          : undefined,
      10_000,
    );
    await customer.evaluate(
      `document.getElementById('later').textContent = ${JSON.stringify(SECRETS.later)}`,
    );

    const masked = (s: string): string => '•'.repeat(s.length);
    await pollUntil(
      'masked values and text in the agent view',
      async () => {
        const state = await frameEval<Record<string, string>>(
          view,
          `(d) => ({
        pw: d.getElementById('pw').value, card: d.getElementById('card').value, name: d.getElementById('name').value,
        mut: d.getElementById('mut')?.textContent ?? '', later: d.getElementById('later').textContent })`,
        );
        return state.pw === masked(SECRETS.typedPassword) &&
          state.card === masked(SECRETS.typedCard) &&
          state.name === 'Ada' &&
          state.mut === masked(SECRETS.mutation) &&
          state.later === masked(SECRETS.later)
          ? true
          : undefined;
      },
      10_000,
    );

    const agentDom = await frameEval<string>(
      view,
      '(d) => d.documentElement.outerHTML + Array.from(d.querySelectorAll("input"), (i) => i.value).join(" ")',
    );
    assert.match(agentDom, /plain|Pay/, 'the unrestricted page is there');
    assert.equal(
      await frameEval<string>(view, '(d) => d.getElementById("cs").textContent'),
      masked(SECRETS.classText),
    );
    assert.equal(
      await frameEval<string>(view, '(d) => d.getElementById("cs").title'),
      masked(SECRETS.title),
    );
    assert.equal(
      await frameEval<string>(view, '(d) => d.getElementById("dm").textContent'),
      masked(SECRETS.markedText),
    );

    // Hidden elements: empty boxes, as large as the originals.
    const boxes = await frameEval<Array<{ w: number; h: number; text: string }>>(
      view,
      `(d) => Array.from(d.querySelectorAll('[data-tandem-hidden]'), (b) => {
      const r = b.getBoundingClientRect(); return { w: Math.round(r.width), h: Math.round(r.height), text: b.textContent }; })`,
    );
    const originals = await customer.evaluate(`['ph', 'dh', 'inl'].map((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return { w: Math.round(r.width), h: Math.round(r.height), text: '' };
    })`);
    assert.deepEqual(boxes, originals, 'three empty boxes of the same sizes');

    const wire = sentByCustomer.join('\n');
    assert.ok(wire.includes('page:batch'), 'batches were sent');
    for (const [what, secret] of Object.entries(SECRETS)) {
      assert.ok(!wire.includes(secret), `${what} never leaves the customer's browser`);
      assert.ok(!agentDom.includes(secret), `${what} is not in the agent's view`);
      assert.ok(!JSON.stringify(view.relayed).includes(secret), `${what} is not relayed`);
    }
    await view.close();
    await customer.evaluate(() =>
      (globalThis as unknown as { Tandem: { stop(): void } }).Tandem.stop(),
    );
  });

  it('a modified snippet that sends everything unmasked still shows the agent masked data', async () => {
    const raw = await startCustomerSession(tandem.url, statics.url, `${statics.url}/shop.html`);
    const view = await openAgentView(
      agentContext,
      tandem.url,
      `${statics.url}/mirror.html`,
      raw.code,
    );
    const el = element;
    raw.sendSnapshot(
      pageSnapshot(
        1,
        [
          el(10, 'input', { id: 'pw', type: 'password', value: SECRETS.typedPassword }, [], {
            value: SECRETS.typedPassword,
          }),
          el(11, 'input', { id: 'card', autocomplete: 'cc-number' }, [], {
            value: SECRETS.typedCard,
          }),
          el(12, 'p', { id: 'cs', class: 'secret', title: SECRETS.title }, [
            text(13, SECRETS.classText),
          ]),
          el(14, 'div', { id: 'dm', 'data-tandem-mask': '' }, [
            el(15, 'b', {}, [text(16, SECRETS.markedText)]),
          ]),
          el(17, 'div', { id: 'ph', class: 'photo', style: 'width:150px;height:90px' }, [
            text(18, SECRETS.photo),
          ]),
          el(19, 'div', { id: 'later' }, [text(20, 'plain')]),
        ],
        { url: `${statics.url}/shop.html`, title: 'raw' },
      ),
    );
    raw.socket.emit('page:batch', {
      seq: 2,
      sentAt: Date.now(),
      ops: [
        { op: 'input', id: 10, value: SECRETS.typedPassword + 'x' },
        { op: 'text', id: 13, text: SECRETS.classText + 'x' },
        { op: 'add', parent: 17, before: null, node: text(30, SECRETS.hiddenText) },
        { op: 'attr', id: 19, name: 'class', value: 'secret' },
        { op: 'text', id: 20, text: SECRETS.later },
        {
          op: 'add',
          parent: 3,
          before: null,
          node: el(31, 'span', { id: 'mut', 'data-tandem-mask': '' }, [text(32, SECRETS.mutation)]),
        },
      ],
    });
    await pollUntil(
      'the batch in the agent view',
      async () =>
        (await frameEval<string>(view, '(d) => d.getElementById("mut")?.textContent ?? ""'))
          ? true
          : undefined,
      10_000,
    );
    const agentDom = await frameEval<string>(
      view,
      '(d) => d.documentElement.outerHTML + Array.from(d.querySelectorAll("input"), (i) => i.value).join(" ")',
    );
    assert.match(agentDom, /data-tandem-hidden/, 'the hidden element is an empty box');
    assert.equal(
      await frameEval<string>(view, '(d) => d.getElementById("pw").value'),
      '•'.repeat(SECRETS.typedPassword.length + 1),
    );
    for (const [what, secret] of Object.entries(SECRETS)) {
      assert.ok(!agentDom.includes(secret), `${what} is not in the agent's view`);
      assert.ok(!JSON.stringify(view.relayed).includes(secret), `${what} is not relayed`);
    }
    await view.close();
    await raw.end();
  });
});
