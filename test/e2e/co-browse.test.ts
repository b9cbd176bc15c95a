/**
 * Co-browsing end to end against a real Tandem node: the demo shop in one browser context starts
 * a session, the agent console in another joins with the code, and what the customer does shows
 * up in the agent's view. Latencies are measured and logged: the goal is well under a second, the
 * deadline is a tolerant 3 s so that a busy CI machine does not make the test flaky.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import {
  agentState,
  openConsole,
  openDemoSides,
  startDemoSession,
  type AgentGlobal,
  type CustomerGlobal,
} from './support/demo-session.ts';

const WITHIN_MS = 3000;
const PASSWORD = 'S3cret-Pa55word!';
const CARD = '4111 1111 1111 1111';

const latencies: Record<string, number> = {};

/** Runs `action`, then waits until `check` holds in the agent's view; records the latency. */
async function expectInView(
  name: string,
  action: () => Promise<unknown>,
  check: () => Promise<boolean>,
): Promise<void> {
  await action();
  const { elapsedMs } = await pollUntil(
    name,
    async () => ((await check()) ? true : undefined),
    WITHIN_MS,
  );
  latencies[name] = elapsedMs;
  console.log(`  ${name}: visible to the agent after ${elapsedMs} ms`);
}

describe('co-browsing: demo shop → agent console', () => {
  let server: RunningServer;
  let browser: Browser;
  let agentContext: BrowserContext;
  let customer: Page;
  const sentByCustomer: string[] = [];
  let agentToken: string;

  before(async () => {
    agentToken = await mintTestToken({ name: 'Alice' });
    server = await startServer();
    browser = await launchChromium();
    ({ agentContext, customer } = await openDemoSides(browser, server.url, {
      beforeLoad: (page) =>
        page.on('websocket', (ws) => {
          ws.on('framesent', (frame) => sentByCustomer.push(String(frame.payload)));
        }),
    }));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const customerState = (): Promise<string> =>
    customer.evaluate(() => (globalThis as unknown as CustomerGlobal).Tandem.state);
  /** Opens the console with `?code=` and waits for the first snapshot. */
  async function joinAsAgent(code: string): Promise<{ agent: Page; view: FrameLocator }> {
    const agent = await openConsole(agentContext, server.url, code, agentToken, { name: 'Alice' });
    return { agent, view: agent.frameLocator('#view') };
  }

  it('mirrors typing, list changes, classes, scrolling and frame navigation; agent ends', async () => {
    const code = await startDemoSession(customer);
    const { agent, view } = await joinAsAgent(code);
    await pollUntil('the customer to see the agent', async () =>
      (await customerState()) === 'active' ? true : undefined,
    );

    await expectInView(
      'typing',
      () => customer.locator('#name').pressSequentially('Ada Lovelace'),
      async () => (await view.locator('#name').inputValue()) === 'Ada Lovelace',
    );
    await expectInView(
      'adding a list item',
      () => customer.locator('#add-item').click(),
      async () => (await view.locator('#items li').last().textContent()) === 'Extra item 1',
    );
    await expectInView(
      'removing list items',
      async () => {
        await customer.locator('#remove-item').click();
        await customer.locator('#remove-item').click();
      },
      async () => (await view.locator('#items li').count()) === 1,
    );
    await expectInView(
      'changing a class',
      () => customer.locator('#express').click(),
      async () => /\bexpress\b/.test((await view.locator('#shipping').getAttribute('class')) ?? ''),
    );
    await expectInView(
      'scrolling the panel',
      () =>
        customer.locator('#terms').evaluate((el) => {
          el.scrollTop = 150;
        }),
      async () => (await view.locator('#terms').evaluate((el) => el.scrollTop)) === 150,
    );
    await expectInView(
      'navigating the iframe',
      () => customer.frameLocator('#delivery').locator('#next').click(),
      async () => (await view.frameLocator('#delivery').locator('#frame2-title').count()) === 1,
    );
    await expectInView(
      'the customer pointer',
      () => customer.mouse.move(300, 200),
      async () => {
        const scale = await agent.evaluate(
          () => (globalThis as unknown as AgentGlobal).__tandemAgent?.scale() ?? Number.NaN,
        );
        const style = (await agent.locator('#customer-cursor').getAttribute('style')) ?? '';
        // The style attribute keeps a few decimals of a scaled position: compare to the pixel.
        const at = /translate\(([\d.]+)px, ([\d.]+)px\)/.exec(style);
        return (
          at !== null &&
          Math.abs(Number(at[1]) - 300 * scale) < 0.5 &&
          Math.abs(Number(at[2]) - 200 * scale) < 0.5
        );
      },
    );
    await expectInView(
      'typing a password (masked)',
      async () => {
        await customer.locator('#password').pressSequentially(PASSWORD);
        await customer.locator('#card').pressSequentially(CARD);
      },
      async () =>
        (await view.locator('#password').inputValue()) === '•'.repeat(PASSWORD.length) &&
        (await view.locator('#card').inputValue()) === '•'.repeat(CARD.length),
    );

    const wire = sentByCustomer.join('\n');
    assert.ok(wire.includes('page:batch'), 'the customer page sent batches over the websocket');
    for (const secret of [PASSWORD, 'S3cret', 'Pa55word', CARD, '4111']) {
      assert.ok(!wire.includes(secret), `"${secret}" never leaves the customer's browser`);
    }

    await agent.locator('#end').click();
    await pollUntil('both sides to end', async () =>
      (await customerState()) === 'ended' && (await agentState(agent)) === 'ended'
        ? true
        : undefined,
    );
    await agent.close();
  });

  it('ends for both when the customer presses End session in the widget', async () => {
    await pollUntil('the help button to be ready again', async () =>
      (await customer.locator('#help').isEnabled()) ? true : undefined,
    );
    const code = await startDemoSession(customer);
    const { agent } = await joinAsAgent(code);
    // The widget's closed shadow root hides its button from selectors; click where it is drawn.
    const viewport = customer.viewportSize() ?? { width: 1100, height: 800 };
    const x = viewport.width - 60;
    const y = viewport.height - 44;
    const hit = await customer.evaluate(`document.elementFromPoint(${x}, ${y})?.localName`);
    assert.equal(hit, 'tandem-widget', 'the End session button is where the widget draws it');
    await customer.mouse.click(x, y);
    await pollUntil('both sides to end', async () =>
      (await customerState()) === 'ended' && (await agentState(agent)) === 'ended'
        ? true
        : undefined,
    );
    await agent.close();
  });
});
