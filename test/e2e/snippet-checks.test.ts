/**
 * The snippet's own checks, in real Chromium: a forged `control:navigate` or `control:action`
 * that reaches the customer's page without the customer's consent (a compromised server or a
 * man in the middle; the real server refuses both before they get here, see pages.test.ts and
 * control.test.ts) is refused by the snippet too. The frames are injected into the customer's
 * real WebSocket with Playwright's WebSocket routing, between the page and a real node.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocketRoute } from 'playwright-core';
import { useNodeAndBrowser } from './support/node-and-browser.ts';
import { startDemoSession } from './support/demo-session.ts';
import { waitFor } from '../support/wait.ts';

describe('the snippet refuses what it was not allowed, whatever the socket says', () => {
  const live = useNodeAndBrowser();

  it('does not navigate or act for an agent the customer did not allow', async () => {
    const context = await live.browser.newContext({ ignoreHTTPSErrors: true });
    const routes: WebSocketRoute[] = [];
    await context.routeWebSocket(/\/socket\.io\//, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((message) => upstream.send(message));
      upstream.onMessage((message) => ws.send(message));
      routes.push(ws);
    });
    const customer = await context.newPage();
    await customer.goto(`${live.server.url}/demo/cart.html`);
    await startDemoSession(customer);
    await customer.evaluate(
      "window.marker = 42; window.clicks = 0; document.addEventListener('click', () => window.clicks++, true)",
    );
    const socket = routes.at(-1);
    assert.ok(socket, 'the customer socket went through the route');
    const forge = (event: string, payload: unknown): void =>
      socket.send(`42/customer,${JSON.stringify([event, payload])}`);

    forge('control:navigate', { go: 'reload', agentId: 'mallory', name: 'Mallory' });
    forge('control:navigate', {
      go: 'url',
      url: `${live.server.url}/demo/product.html`,
      agentId: 'mallory',
      name: 'Mallory',
    });
    // Node ids are small integers from 1: some of them are the cart's buttons.
    for (let target = 1; target < 80; target++)
      forge('control:action', { kind: 'click', target, agentId: 'mallory' });
    // A frame the snippet handles after those: once it is through, they were handled too.
    forge('session:state', {
      sessionId: 'x',
      code: 'x',
      status: 'active',
      agents: [{ id: 'mallory', name: 'Mallory' }],
      customerConnected: true,
    });
    // Polled from here: a string predicate polled in the page is eval'd there, and the demo
    // page's CSP refuses eval (the wait then failed whenever the state was not active at once).
    await waitFor(
      async () => (await customer.evaluate('window.Tandem.state')) === 'active',
      'the forged state frame handled',
    );
    await customer.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
    assert.equal(await customer.evaluate('window.marker'), 42, 'the page did not reload or leave');
    assert.match(customer.url(), /\/demo\/cart\.html$/);
    assert.equal(await customer.evaluate('window.clicks'), 0, 'nothing was clicked');
    await context.close();
  });
});
