/**
 * Every state of the console and the widget, in real Chromium against a real node, checked on
 * both sides: what the agent reads over the view (words and a stable code) and what the customer
 * reads in the widget. Control asked, declined, allowed, refused on read-only and masked fields,
 * taken back and given back; a monitor-only agent; both ways a session ends; signing in with a
 * code already typed; the session panel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import {
  openConsole,
  openDemoSides,
  startDemoSession,
  type AgentGlobal,
} from './support/demo-session.ts';
import { clickWidgetButton, waitForWidget, widgetText } from './support/widget.ts';

const CONTROL = ['cobrowse:monitor', 'cobrowse:control'] as const;

interface Sides {
  customerContext: BrowserContext;
  customer: Page;
  agent: Page;
}

/** The notice's code and text, once its code is `code`. */
async function waitForNotice(agent: Page, code: string): Promise<string> {
  await pollUntil(`the notice ${code}`, () =>
    agent.evaluate(
      (want) =>
        (globalThis as unknown as AgentGlobal).__tandemAgent?.notice() === want ? true : undefined,
      code,
    ),
  );
  const text = (await agent.locator('#notice').textContent()) ?? '';
  assert.ok(await agent.locator('#notice').isVisible(), `the notice ${code} is shown`);
  assert.ok(text.includes(`code: ${code}`), `the notice shows its code: ${text}`);
  return text;
}

describe('console states: what the agent and the customer see', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    server = await startServer({ agents: { devLogin: true } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openSides(
    privileges: readonly (typeof CONTROL)[number][],
    name = 'Ann',
  ): Promise<Sides> {
    const { customerContext, agentContext, customer } = await openDemoSides(browser, server.url, {
      agentViewport: { width: 1400, height: 1000 },
    });
    const code = await startDemoSession(customer);
    const token = await mintTestToken({ name, privileges });
    const agent = await openConsole(agentContext, server.url, code, token);
    return { customerContext, customer, agent };
  }

  async function closeSides(sides: Sides): Promise<void> {
    await sides.agent.context().close();
    await sides.customerContext.close();
  }

  async function agentClicks(agent: Page, selector: string): Promise<void> {
    const box = await agent.frameLocator('#view').locator(selector).boundingBox();
    assert.ok(box, `${selector} is visible in the agent's view`);
    await agent.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }

  it('walks control through asked, declined, allowed, refused, taken back and given back', async () => {
    const sides = await openSides(CONTROL);
    const { customer, customerContext, agent } = sides;
    await customer.evaluate(
      "document.getElementById('remove-item').setAttribute('data-tandem-readonly', '')",
    );
    const control = agent.locator('#control');

    await control.click();
    await waitForNotice(agent, 'control.requested');
    await waitForWidget(customerContext, customer, /Ann asks to control this page.*\[Allow\]/);
    await clickWidgetButton(customerContext, customer, 'deny');
    assert.match(await waitForNotice(agent, 'control.denied'), /customer declined control/);
    await waitForWidget(customerContext, customer, /You declined/);
    assert.doesNotMatch(await widgetText(customerContext, customer), /\[Allow\]/);

    await control.click();
    await clickWidgetButton(customerContext, customer, 'allow');
    assert.match(await waitForNotice(agent, 'control.granted'), /allowed control/);
    assert.equal(await control.textContent(), 'Give back control');
    await waitForWidget(customerContext, customer, /Ann controls this page.*\[Stop control\]/);
    assert.equal(await agent.locator('#detail-control').textContent(), 'You control the page');

    await agentClicks(agent, '#remove-item');
    assert.match(await waitForNotice(agent, 'refused.read_only'), /read-only/);
    await agentClicks(agent, '#password');
    assert.match(await waitForNotice(agent, 'refused.masked'), /private/);

    await clickWidgetButton(customerContext, customer, 'stop-control');
    assert.match(await waitForNotice(agent, 'control.revoked'), /took back control/);
    await waitForWidget(customerContext, customer, /You took back control/);
    assert.equal(await control.textContent(), 'Request control');

    await control.click();
    await clickWidgetButton(customerContext, customer, 'allow');
    await waitForNotice(agent, 'control.granted');
    await control.click();
    await waitForNotice(agent, 'control.released');
    await waitForWidget(customerContext, customer, /Ann gave control back to you/);
    assert.doesNotMatch(await widgetText(customerContext, customer), /Stop control/);
    await closeSides(sides);
  });

  it('gives a monitor-only agent no active Request control, and says why', async () => {
    const sides = await openSides(['cobrowse:monitor'], 'Mo');
    const { agent } = sides;
    assert.equal(await agent.locator('#control').isDisabled(), true);
    assert.match((await agent.locator('#control-state').textContent()) ?? '', /View only/);
    // The raw server text of old never shows: the button cannot be pressed at all.
    const page = (await agent.locator('body').textContent()) ?? '';
    assert.doesNotMatch(page, /cobrowse:control is required/);
    await closeSides(sides);
  });

  it('ends cleanly on both sides when the agent presses End', async () => {
    const sides = await openSides(CONTROL);
    const { customer, customerContext, agent } = sides;
    await agent.locator('#control').click();
    await clickWidgetButton(customerContext, customer, 'allow');
    await waitForWidget(customerContext, customer, /Ann controls this page/);

    await agent.locator('#end').click();
    const ended = agent.locator('#ended');
    await ended.waitFor({ state: 'visible' });
    const text = (await ended.textContent()) ?? '';
    assert.match(text, /You ended the session at \d\d:\d\d:\d\d/);
    assert.match(text, /enter the code/i);
    assert.equal(await agent.locator('#viewport').isVisible(), false, 'no frozen mirror');
    assert.equal(await agent.locator('#join-form').isVisible(), true);

    const widget = await waitForWidget(customerContext, customer, /agent ended the session at/);
    assert.match(widget, /Nothing on this page is shared any more/);
    assert.match(widget, /\[Close\]/);
    assert.doesNotMatch(widget, /controls this page|Stop control|End session/);
    await clickWidgetButton(customerContext, customer, 'close');
    await pollUntil('the widget to go', async () =>
      (await widgetText(customerContext, customer)) === '' ? true : undefined,
    );
    await closeSides(sides);
  });

  it('tells the agent when the customer ended the session', async () => {
    const sides = await openSides(CONTROL);
    const { customer, customerContext, agent } = sides;
    await clickWidgetButton(customerContext, customer, 'end');
    await waitForWidget(customerContext, customer, /You ended the session at/);
    const ended = agent.locator('#ended');
    await ended.waitFor({ state: 'visible' });
    assert.match((await ended.textContent()) ?? '', /The customer ended the session at/);
    assert.equal(await agent.locator('#viewport').isVisible(), false);
    await closeSides(sides);
  });

  it('shows the session panel: page, agents, control, masking and connection', async () => {
    const sides = await openSides(CONTROL);
    const { customer, agent } = sides;
    const detail = async (id: string): Promise<string> =>
      (await agent.locator(`#${id}`).textContent()) ?? '';
    await pollUntil('the panel to fill', async () =>
      (await detail('detail-masking')) !== '—' ? true : undefined,
    );
    assert.equal(await detail('detail-page'), await customer.title());
    assert.equal(await detail('detail-url'), customer.url());
    assert.equal(await detail('people'), 'Ann (you)');
    assert.equal(await detail('detail-customer'), 'Connected');
    assert.equal(await detail('detail-control'), 'The customer (nobody else)');
    assert.match(await detail('detail-time'), /^Joined \d\d:\d\d:\d\d/);
    // Card number, CVC and password: counted, and nothing of what they hold is shown.
    assert.equal(await detail('detail-masking'), '3 fields masked');
    await customer.locator('#add-item').click();
    await pollUntil('a page update to measure the connection', async () =>
      /^Good|^Slow|^Poor/.test(await detail('detail-connection')) ? true : undefined,
    );
    await agent.locator('#details-toggle').click();
    assert.equal(await agent.locator('#details').isVisible(), false);
    assert.equal(await agent.locator('#details-toggle').getAttribute('aria-expanded'), 'false');
    await closeSides(sides);
  });

  it('keeps the code typed before signing in, and does not ask for the name again', async () => {
    const { customerContext, agentContext, customer } = await openDemoSides(browser, server.url, {
      agentViewport: { width: 1280, height: 900 },
    });
    const code = await startDemoSession(customer);
    const agent = await agentContext.newPage();
    await agent.goto(`${server.url}/agent/`);
    await agent.locator('#code').fill(code);
    await agent.locator('#name').fill('Grace');
    await agent.locator('#join').click();
    assert.match((await agent.locator('#message').textContent()) ?? '', /code you typed is kept/);
    assert.equal(await agent.locator('#code').inputValue(), code);

    // The sign-in page takes the name along and comes back to the code.
    await agent.locator('#sign-in').click();
    await agent.waitForURL(/login\.html/);
    assert.equal(await agent.locator('#login-name').inputValue(), 'Grace');
    assert.match((await agent.locator('#login-code').textContent()) ?? '', new RegExp(code));
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.waitForURL(/\/agent\/\?code=/);
    await pollUntil('the console to join the code', () =>
      agent.evaluate(() =>
        (globalThis as unknown as AgentGlobal).__tandemAgent?.state() === 'connected'
          ? true
          : undefined,
      ),
    );
    await agent.locator('#leave').click();
    await agent.locator('#ended').waitFor({ state: 'visible' });
    assert.equal(await agent.locator('#name-field').isVisible(), false, 'no name asked again');
    assert.equal(await agent.locator('#signed-in').textContent(), 'Signed in as Grace');
    await agentContext.close();
    await customerContext.close();
  });
});
