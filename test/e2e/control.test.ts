/**
 * Control end to end in real Chromium: the agent asks, the customer allows in the widget, and the
 * agent's clicks, typing and scrolling on the console's view happen on the customer's page; never
 * on a read-only element; and not any more once the customer stops control.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { clickWidgetButton } from './support/widget.ts';
import {
  openConsole,
  openDemoSides,
  startDemoSession,
  type AgentGlobal,
} from './support/demo-session.ts';

describe('control: the agent acts on the page only with consent', () => {
  let server: RunningServer;
  let browser: Browser;
  let customerContext: BrowserContext;
  let agentContext: BrowserContext;
  let customer: Page;
  let agent: Page;

  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    ({ customerContext, agentContext, customer } = await openDemoSides(browser, server.url, {
      agentViewport: { width: 1400, height: 1000 },
    }));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const itemCount = (): Promise<number> => customer.locator('#items li').count();
  const controlMode = (): Promise<string> =>
    agent.evaluate(
      () => (globalThis as unknown as AgentGlobal).__tandemAgent?.controlMode() ?? 'loading',
    );

  /** Clicks the centre of an element of the mirrored page, through the console's overlay. */
  async function agentClicks(selector: string): Promise<void> {
    const box = await agent.frameLocator('#view').locator(selector).boundingBox();
    assert.ok(box, `${selector} is visible in the agent's view`);
    await agent.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }

  it('asks, is allowed, clicks, types and scrolls; read-only stays untouched; stop ends it', async () => {
    // The site marks an element read-only before the session starts.
    await customer.evaluate(
      "document.getElementById('remove-item').setAttribute('data-tandem-readonly', '')",
    );
    const code = await startDemoSession(customer);
    const token = await mintTestToken({
      name: 'Alice',
      privileges: ['cobrowse:monitor', 'cobrowse:control'],
    });
    agent = await openConsole(agentContext, server.url, code, token);
    const before = await itemCount();

    // Without consent a click on the view only points.
    await agentClicks('#add-item');
    assert.equal(await controlMode(), 'none');

    await agent.locator('#control').click();
    await clickWidgetButton(customerContext, customer, 'allow');
    await pollUntil('control granted', async () =>
      (await controlMode()) === 'granted' ? true : undefined,
    );
    assert.equal(await itemCount(), before, 'nothing happened before consent');

    await agentClicks('#add-item');
    await pollUntil('the agent click to add an item', async () =>
      (await itemCount()) === before + 1 ? true : undefined,
    );

    await agentClicks('#name');
    await agent.keyboard.type('Grace H');
    await agent.keyboard.press('Backspace');
    await agent.keyboard.press('Backspace');
    await pollUntil('the agent typing in the name field', async () =>
      (await customer.locator('#name').inputValue()) === 'Grace' ? true : undefined,
    );

    const terms = await agent.frameLocator('#view').locator('#terms').boundingBox();
    assert.ok(terms);
    await agent.mouse.move(terms.x + terms.width / 2, terms.y + terms.height / 2);
    await agent.mouse.wheel(0, 120);
    await pollUntil('the agent scrolling the terms', async () =>
      (await customer.locator('#terms').evaluate((el) => el.scrollTop)) > 0 ? true : undefined,
    );

    // Read-only: the server refuses, and the customer's page is unchanged.
    const count = await itemCount();
    await agentClicks('#remove-item');
    await pollUntil('the refusal in the audit log', async () =>
      server.logs.some(
        (line) =>
          line.audit === true && line.event === 'control.refused' && line.reason === 'read_only',
      )
        ? true
        : undefined,
    );
    assert.equal(await itemCount(), count, 'a read-only button was not pressed');

    // The customer stops control: the console knows, and clicks no longer act.
    await clickWidgetButton(customerContext, customer, 'stop-control');
    await pollUntil('control revoked in the console', async () =>
      (await controlMode()) === 'none' ? true : undefined,
    );
    await agentClicks('#add-item');
    // Proving that nothing happens needs a pause; it can only make the test pass wrongly, never fail.
    await customer.waitForTimeout(500);
    assert.equal(await itemCount(), count, 'no click after control was stopped');
    await pollUntil('the revocation is audited', async () =>
      server.logs.some((line) => line.audit === true && line.event === 'control.revoked')
        ? true
        : undefined,
    );
  });
});
