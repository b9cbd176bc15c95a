/**
 * A session across the customer's tabs, in real Chromium against a real node: a second tab of
 * the shop takes the session over as it opens in front (the focused tab wins), the first one
 * stands by and sends nothing, the agent's mirror follows to the new tab and the console says
 * which tab is shared; the customer brings the first tab back with "Share this tab"; closing
 * the tab on standby changes nothing, and ending the session in one tab ends it in the other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pollUntil } from './support/browser.ts';
import { useNodeAndBrowser } from './support/node-and-browser.ts';
import { consoleUrl, startDemoSession, type CustomerGlobal } from './support/demo-session.ts';
import { expectMirrorEqualsPage } from './support/page-shape.ts';
import { clickWidgetButton, waitForWidget } from './support/widget.ts';

const stateOf = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as unknown as CustomerGlobal).Tandem.state);

async function waitForState(page: Page, state: string, what: string): Promise<void> {
  await pollUntil(what, async () => ((await stateOf(page)) === state ? true : undefined), 10_000);
}

describe('a session across the customer’s tabs', () => {
  const live = useNodeAndBrowser();

  it('follows the tab in front, says which tab is shared, and ends in every tab', async () => {
    const customerContext = await live.browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1100, height: 800 },
    });
    const first = await customerContext.newPage();
    await first.goto(`${live.server.url}/demo/product.html`);
    const code = await startDemoSession(first);
    const agentContext = await live.browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 1000 },
    });
    const agent = await agentContext.newPage();
    const token = await mintTestToken({ name: 'Alice' });
    await agent.goto(consoleUrl(live.server.url, code, token));
    await expectMirrorEqualsPage(first, agent, 'the first tab');
    const sentByFirst: string[] = [];
    first.on('websocket', (ws) => ws.on('framesent', (f) => sentByFirst.push(String(f.payload))));

    // A second tab of the shop, opened in front: it takes the session over.
    const second = await customerContext.newPage();
    await second.goto(`${live.server.url}/demo/cart.html`);
    await pollUntil('the second tab to share', async () =>
      ['waiting', 'active'].includes(await stateOf(second)) ? true : undefined,
    );
    await waitForState(first, 'standby', 'the first tab to stand by');
    await waitForWidget(customerContext, first, /continues in another tab.*\[Share this tab\]/);
    await expectMirrorEqualsPage(second, agent, 'the second tab');
    await pollUntil('the console to name the shared tab', async () =>
      /tab 2 of 2/.test((await agent.locator('#detail-tab').textContent()) ?? '')
        ? true
        : undefined,
    );

    // On standby the first tab sends nothing of its page, whatever changes on it.
    const before = sentByFirst.length;
    await first.evaluate(
      "document.body.append(Object.assign(document.createElement('p'), { textContent: 'later' }))",
    );
    await second.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
    assert.equal(sentByFirst.slice(before).filter((f) => f.includes('page:')).length, 0);

    // The customer shares the first tab again.
    await first.bringToFront();
    await clickWidgetButton(customerContext, first, 'share');
    await pollUntil('the first tab to share again', async () =>
      ['waiting', 'active'].includes(await stateOf(first)) ? true : undefined,
    );
    await waitForState(second, 'standby', 'the second tab to stand by');
    await expectMirrorEqualsPage(first, agent, 'the first tab again');
    await pollUntil('the console to tell of the switch', async () =>
      (await agent.evaluate('window.__tandemAgent.notice()')) === 'tab.switched' ? true : undefined,
    );
    assert.match((await agent.locator('#detail-tab').textContent()) ?? '', /tab 1 of 2/);

    // Closing the tab on standby leaves the session as it was.
    await second.close();
    await pollUntil('the console to count one tab', async () =>
      /One tab/.test((await agent.locator('#detail-tab').textContent()) ?? '') ? true : undefined,
    );
    assert.equal(await agent.evaluate('window.__tandemAgent.state()'), 'connected');
    assert.ok(['waiting', 'active'].includes(await stateOf(first)));

    // A third tab, then End in the first: the session ends in both.
    const third = await customerContext.newPage();
    await third.goto(`${live.server.url}/demo/cart.html`);
    await waitForState(first, 'standby', 'the first tab to stand by for the third');
    // Bringing a tab to the front is enough: the focused tab wins. Headless Chromium emulates
    // focus per page and fires no window focus on bringToFront, so the test delivers the event
    // a headed browser sends when the customer clicks the tab.
    await first.bringToFront();
    await first.evaluate("window.dispatchEvent(new FocusEvent('focus'))");
    await waitForState(third, 'standby', 'the third tab to stand by once the first is in front');
    await clickWidgetButton(customerContext, first, 'end');
    await waitForState(third, 'ended', 'the third tab to end too');
    await pollUntil('the console to end', async () =>
      (await agent.evaluate('window.__tandemAgent.state()')) === 'ended' ? true : undefined,
    );
    await agentContext.close();
    await customerContext.close();
  });
});
