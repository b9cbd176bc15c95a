/**
 * A session that follows the customer, in real Chromium against a real node: the demo shop's
 * product, cart and checkout pages, its pause page, a second allowlisted origin and one outside
 * the site. After a link click, a form submit, a reload, back and forward (from the back/forward
 * cache) and a hop to the other origin (by a link, a form post and a script), the agent's mirror equals the customer's page, the
 * session and its code stay the same, and masked fields stay masked. Pause pages send nothing
 * (checked on both sides' wires), control is suspended there, and agent navigation happens only
 * with the customer's consent. Closing the last tab shows "Customer left" and ends the session
 * after the grace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type ProtocolError } from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startOrigin, type Origin } from '../support/origins.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import {
  agentState,
  consoleUrl,
  startDemoSession,
  type CustomerGlobal,
} from './support/demo-session.ts';
import { expectMirrorEqualsPage } from './support/page-shape.ts';
import { clickWidgetButton } from './support/widget.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const PASSWORD = 'Pa55-across-pages!';
const OTP = '774411';
const LEAVE_GRACE_SECONDS = 10;

/** A page of the second origin of the site: the snippet from the Tandem server, a way back. */
const accountPage = (serverUrl: string, shopUrl: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Account</title>
<script src="${serverUrl}/tandem.js"></script></head>
<body><h1 id="account-home">Your account on another origin</h1>
<p>Orders, addresses and the like.</p>
<a id="to-outside" href="OUTSIDE">A page outside the site</a>
<a id="back-to-shop" href="${shopUrl}/demo/product.html">Back to the shop</a>
</body></html>`;

describe('a session follows the customer across pages', () => {
  let server: RunningServer;
  let account: Origin;
  let outside: Origin;
  let browser: Browser;
  let customerContext: BrowserContext;
  let customer: Page;
  let agent: Page;
  let code: string;
  /** Every frame the customer's pages sent, and every one the console received, in order. */
  const sent: string[] = [];
  const received: string[] = [];
  const sockets: Socket[] = [];

  before(async () => {
    let serverUrl = '';
    outside = await startOrigin('127.0.0.3', {
      // A navigation that does not leave the page: no content.
      '/nothing': { status: 204 },
      '/elsewhere.html': {
        headers: { 'content-type': 'text/html' },
        body: '<!doctype html><title>Elsewhere</title><h1 id="elsewhere">Not the shop</h1>',
      },
    });
    account = await startOrigin('127.0.0.2', {
      '/account.html': () => ({
        headers: { 'content-type': 'text/html' },
        body: accountPage(serverUrl, serverUrl).replace('OUTSIDE', `${outside.url}/elsewhere.html`),
      }),
    });
    server = await startServer({
      'cross-origin': { allowedOrigins: [account.url] },
      session: { pausePages: ['/demo/account*'], leaveGraceSeconds: LEAVE_GRACE_SECONDS },
    });
    serverUrl = server.url;
    browser = await launchChromium([], { backForwardCache: true });
    customerContext = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1100, height: 800 },
    });
    // Counts restorations from the back/forward cache, on every page of the tab.
    await customerContext.addInitScript(
      "addEventListener('pageshow', (e) => { if (e.persisted) window.restoredFromCache = (window.restoredFromCache || 0) + 1; })",
    );
    customer = await customerContext.newPage();
    customer.on('websocket', (ws) =>
      ws.on('framesent', (frame) => sent.push(String(frame.payload))),
    );
  });

  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await browser?.close();
    await server?.stop();
    await account?.stop();
    await outside?.stop();
  });

  const customerState = (): Promise<string> =>
    customer.evaluate(() => (globalThis as unknown as CustomerGlobal).Tandem.state);
  const hooks = <T>(fn: string): Promise<T> =>
    agent.evaluate(`window.__tandemAgent && window.__tandemAgent.${fn}()`) as Promise<T>;
  const pageStatus = (): Promise<string> => hooks<string>('pageStatus');
  const controlMode = (): Promise<string> => hooks<string>('controlMode');
  const waitForStatus = (status: string, what: string): Promise<unknown> =>
    pollUntil(what, async () => ((await pageStatus()) === status ? true : undefined), 15_000);
  /** The same session: the console is connected and the customer's widget shows the same code. */
  async function expectSameSession(what: string): Promise<void> {
    await pollUntil(
      `${what}: the customer back in the session`,
      async () => (['waiting', 'active'].includes(await customerState()) ? true : undefined),
      15_000,
    );
    assert.equal(await agentState(agent), 'connected', `${what}: the console never left`);
    const shown = await customer.evaluate(() =>
      (globalThis as unknown as CustomerGlobal).Tandem.start(),
    );
    assert.equal(shown, code, `${what}: the same session code`);
  }
  async function follows(what: string): Promise<void> {
    const ms = await expectMirrorEqualsPage(customer, agent, what);
    await expectSameSession(what);
    console.log(`  ${what}: the mirror equals the page after ${ms} ms`);
  }

  it('follows a link, a form submit, a reload, back and forward (bfcache); masking holds', async () => {
    await customer.goto(`${server.url}/demo/product.html`);
    code = await startDemoSession(customer);
    const agentContext = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 1000 },
    });
    const token = await mintTestToken({
      name: 'Alice',
      privileges: ['cobrowse:monitor', 'cobrowse:control'],
    });
    agent = await agentContext.newPage();
    agent.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => received.push(String(frame.payload))),
    );
    await agent.goto(consoleUrl(server.url, code, token));
    await pollUntil(
      'the console to show the page',
      async () => ((await agentState(agent)) === 'connected' ? true : undefined),
      15_000,
    );
    await follows('the product page');

    // The cart is slow to arrive: meanwhile the agent reads where the customer is going.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await customerContext.route('**/demo/cart.html', async (route) => {
      await held;
      await route.continue();
    });
    await customer.locator('#to-cart').click({ noWaitAfter: true });
    await waitForStatus('navigating', 'the agent to see the customer navigating');
    assert.equal(
      await agent.locator('#page-banner').textContent(),
      'Customer is navigating to /demo/cart.html…',
    );
    release();
    await customer.waitForURL('**/demo/cart.html', { waitUntil: 'commit' });
    await customerContext.unroute('**/demo/cart.html');
    await follows('a link click');
    await waitForStatus('live', 'the banner to go');

    await customer.locator('#voucher').fill('SPRING');
    await customer.locator('#checkout-submit').click();
    await customer.waitForURL(/\/demo\/\?voucher=SPRING$/, { waitUntil: 'commit' });
    await follows('a form submit landing on the checkout');
    await customer.locator('#password').pressSequentially(PASSWORD);
    await pollUntil('the password masked in the mirror', async () =>
      (await agent.frameLocator('#view').locator('#password').inputValue()) ===
      '•'.repeat(PASSWORD.length)
        ? true
        : undefined,
    );

    await customer.evaluate('location.reload()');
    await customer.waitForLoadState('load');
    await follows('location.reload()');

    await customer.goBack({ waitUntil: 'commit' });
    await customer.waitForURL('**/demo/cart.html', { waitUntil: 'commit' });
    await follows('back');
    assert.ok(
      Number(await customer.evaluate('window.restoredFromCache || 0')) >= 1,
      'the cart came back from the back/forward cache',
    );
    await customer.goForward({ waitUntil: 'commit' });
    await customer.waitForURL(/\/demo\/\?voucher=SPRING$/, { waitUntil: 'commit' });
    await follows('forward');

    const wire = sent.join('\n');
    for (const secret of [PASSWORD, 'Pa55']) assert.ok(!wire.includes(secret), `no "${secret}"`);
    assert.ok(!wire.includes('tandem:resume'), 'the credential never goes into page data');
  });

  it('pauses on pause pages: nothing is sent, nothing relayed, control suspended', async () => {
    // Control first: it stays granted across pages (it is not asked again).
    await agent.locator('#control').click();
    await clickWidgetButton(customerContext, customer, 'allow');
    await pollUntil('control granted', async () =>
      (await controlMode()) === 'granted' ? true : undefined,
    );
    await customer.locator('#nav-cart').click();
    await customer.waitForURL('**/demo/cart.html', { waitUntil: 'commit' });
    await follows('the cart, in control');
    assert.equal(await controlMode(), 'granted', 'control stays granted on the next page');

    const sentBefore = sent.length;
    const receivedBefore = received.length;
    await customer.locator('#to-pay').click();
    await customer.waitForURL('**/demo/pay.html', { waitUntil: 'commit' });
    await waitForStatus('paused', 'the agent to see the pause');
    assert.match((await agent.locator('#page-paused').textContent()) ?? '', /paused by the site/);
    assert.equal(await agent.locator('#viewport').isHidden(), true, 'no page is shown');
    assert.equal(await customerState(), 'paused');

    await customer.locator('#bank-otp').pressSequentially(OTP);
    await customer.mouse.move(200, 300);
    await customer.mouse.move(400, 350);
    // In control, but the page is paused: the server refuses the agent's reload.
    await agent.locator('#nav-reload').click();
    await pollUntil(
      'the refusal',
      async () =>
        received
          .slice(receivedBefore)
          .some((f) => f.includes('protocol:error') && f.includes('paused'))
          ? true
          : undefined,
      10_000,
    );
    assert.equal(new URL(customer.url()).pathname, '/demo/pay.html');

    // Leaving the pause page: what reaches the agent next is the cart.
    await customer.locator('#pay-back').click();
    await customer.waitForURL('**/demo/cart.html', { waitUntil: 'commit' });
    await follows('back from the pause page');
    const sentOnPause = sent.slice(sentBefore);
    const pausedAt = sentOnPause.findIndex((f) => f.includes('page:paused'));
    assert.ok(pausedAt >= 0, 'the pause page said it pauses');
    const leftAt = sentOnPause.findIndex((f, i) => i > pausedAt && f.includes('page:navigating'));
    const onPausePage = sentOnPause.slice(pausedAt, leftAt);
    for (const frame of onPausePage)
      assert.doesNotMatch(
        frame,
        /page:(snapshot|batch|pointer)/,
        'the pause page sent no page data',
      );
    assert.ok(!sent.join('\n').includes(OTP), 'the code typed on the pause page never left');
    // On the agent's wire: from the pause screen to the customer leaving the page, nothing else.
    const relayed = received.slice(receivedBefore);
    const pauseShown = relayed.findIndex((f) => /"state":"paused"/.test(f));
    const pauseLeft = relayed.findIndex((f, i) => i > pauseShown && /"state":"navigating"/.test(f));
    assert.ok(pauseShown >= 0 && pauseLeft > pauseShown, 'the pause, then the page change');
    for (const frame of relayed.slice(pauseShown, pauseLeft))
      assert.doesNotMatch(
        frame,
        /page:(snapshot|batch|pointer)/,
        'nothing of the pause page relayed',
      );

    // A page listed in session.pausePages pauses as well.
    await customer.locator('#nav-account').click();
    await customer.waitForURL('**/demo/account.html', { waitUntil: 'commit' });
    await waitForStatus('paused', 'the agent to see the pattern pause');
    await customer.goBack({ waitUntil: 'commit' });
    await customer.waitForURL('**/demo/cart.html', { waitUntil: 'commit' });
    await follows('back from the account page');
  });

  it('navigates the tab for the agent only with consent; the customer sees who did', async () => {
    assert.equal(await controlMode(), 'granted');
    await customer.locator('#nav-product').click();
    await customer.waitForURL('**/demo/product.html', { waitUntil: 'commit' });
    await follows('the product page, in control');
    await agent.locator('#nav-back').click();
    await customer.waitForURL('**/demo/cart.html', { waitUntil: 'commit' });
    await follows('back, pressed by the agent');
    await pollUntil('the customer to see who navigated', async () =>
      /Alice went back a page/.test(
        await customer.evaluate(() => (globalThis as unknown as CustomerGlobal).Tandem.notice),
      )
        ? true
        : undefined,
    );
    assert.equal(await controlMode(), 'granted', 'still in control');
    await agent.locator('#nav-url').fill(`${server.url}/demo/product.html`);
    await agent.locator('#nav-go').click();
    await customer.waitForURL('**/demo/product.html', { waitUntil: 'commit' });
    await follows('a URL the agent opened');

    // Without consent: a second agent, with the control privilege but not granted control.
    const mallory = rawSocket(server.url, '/agent', {
      token: await mintTestToken({
        name: 'Mallory',
        privileges: ['cobrowse:monitor', 'cobrowse:control'],
      }),
    });
    sockets.push(mallory);
    const errors = record<ProtocolError>(mallory, 'protocol:error');
    const joined = (await mallory
      .timeout(5000)
      .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code })) as { ok: boolean };
    assert.ok(joined.ok);
    await customer.evaluate('window.marker = 42');
    mallory.emit('control:navigate', { go: 'reload' });
    mallory.emit('control:navigate', { go: 'url', url: `${outside.url}/elsewhere.html` });
    await pollUntil('both refusals', async () => (errors.length >= 2 ? true : undefined));
    assert.deepEqual(errors.map((e) => e.code).sort(), ['control_not_granted', 'forbidden_origin']);
    assert.equal(await customer.evaluate('window.marker'), 42, 'the page did not reload');
    mallory.disconnect();
    await agent.locator('#control').click(); // Alice gives control back.
    await pollUntil('control released', async () =>
      (await controlMode()) === 'none' ? true : undefined,
    );
    assert.equal(await agent.locator('#nav').isHidden(), true, 'no navigation without control');
  });

  it('hops to another allowlisted origin and back; leaving the site pauses it', async () => {
    await customer.evaluate(
      `(() => { const a = document.createElement('a'); a.id = 'hop'; a.textContent = 'Your account'; a.href = ${JSON.stringify(`${account.url}/account.html`)}; document.body.append(a); })()`,
    );
    await customer.locator('#hop').click();
    await customer.waitForURL(`${account.url}/account.html`, { waitUntil: 'commit' });
    await follows('a hop to another allowlisted origin');
    assert.doesNotMatch(customer.url(), /tandem-handoff/, 'the hand-off left the address bar');

    await customer.locator('#to-outside').click();
    await customer.waitForURL(`${outside.url}/elsewhere.html`, { waitUntil: 'commit' });
    await waitForStatus('paused', 'the agent to see the customer leave the site');
    assert.match((await agent.locator('#page-paused').textContent()) ?? '', /left the site/);

    await customer.goBack({ waitUntil: 'commit' });
    await customer.waitForURL(`${account.url}/account.html`, { waitUntil: 'commit' });
    await follows('back from outside the site');
    await customer.locator('#back-to-shop').click();
    await customer.waitForURL('**/demo/product.html', { waitUntil: 'commit' });
    await follows('back on the shop origin');

    // A form posted to the other origin, and a script's navigation there, are handed off too.
    await customer.evaluate(
      `(() => { document.body.insertAdjacentHTML('beforeend', '<form id="post-hop" method="post" action=${JSON.stringify(`${account.url}/account.html`)}><input name="q" value="socks"><button id="post-go" name="go" value="yes">Search the account</button></form>'); })()`,
    );
    await customer.locator('#post-go').click();
    await customer.waitForURL(`${account.url}/account.html`, { waitUntil: 'commit' });
    await follows('a form posted to another allowlisted origin');
    assert.ok(
      account.hits.some((hit) => hit.method === 'POST' && hit.path === '/account.html'),
      'the form was posted',
    );
    assert.doesNotMatch(customer.url(), /tandem-handoff/);
    await customer.locator('#back-to-shop').click();
    await customer.waitForURL('**/demo/product.html', { waitUntil: 'commit' });
    await follows('back on the shop origin after the post');
    await customer.evaluate(`location.href = ${JSON.stringify(`${account.url}/account.html`)}`);
    await customer.waitForURL(`${account.url}/account.html`, { waitUntil: 'commit' });
    await follows('a script navigation to another allowlisted origin');
    await customer.locator('#back-to-shop').click();
    await customer.waitForURL('**/demo/product.html', { waitUntil: 'commit' });
    await follows('back on the shop origin after the script navigation');

    // A script navigation outside the site that does not leave the page (a 204): the session
    // pauses while it might, and goes on once the page is still there.
    await customer.evaluate(`location.href = ${JSON.stringify(`${outside.url}/nothing`)}`);
    await waitForStatus('paused', 'the agent to see the customer leaving the site');
    await waitForStatus('live', 'the session to go on on the page that stayed');
    await follows('the page that stayed after a 204');
  });

  it('shows "Customer left" when the last tab closes, then ends after the grace', async () => {
    await customer.close();
    await pollUntil(
      'the agent to see the customer left',
      async () =>
        /^Customer left at \d\d:\d\d:\d\d$/.test(await hooks<string>('stateText'))
          ? true
          : undefined,
      10_000,
    );
    await pollUntil(
      'the session to end',
      async () => ((await agentState(agent)) === 'ended' ? true : undefined),
      LEAVE_GRACE_SECONDS * 1000 + 15_000,
    );
    assert.match((await agent.locator('#ended-text').textContent()) ?? '', /customer left/i);
  });
});
