/**
 * The console and the widget for people who use a keyboard, a screen reader or a phone: axe-core
 * (injected by the test) finds no serious or critical violation in real Chromium; the console
 * works by keyboard with a visible focus; state changes are announced; the console's header stays
 * on one line at 1024 px; and on a phone the widget is a chip until the customer opens it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { seriousViolations, type AxeViolation } from './support/axe.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { openConsole, openDemoSides, startDemoSession } from './support/demo-session.ts';
import { clickWidgetButton, waitForWidget, widgetBox } from './support/widget.ts';

const CONTROL = ['cobrowse:monitor', 'cobrowse:control'] as const;

function report(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} ${v.targets.join(' ')}`).join('\n');
}

/** The focused element's outline, as computed: a visible focus has a width and a style. */
function focusOutline(page: Page): Promise<{ tag: string; id: string; outline: string }> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : null;
    return {
      tag: el ? el.localName : '',
      id: (el && el.id) || '',
      outline: style ? style.outlineStyle + ' ' + style.outlineWidth : '',
    };
  })()`);
}

/** Makes every shadow root open: axe reads open roots only, and the snippet closes its own. */
const OPEN_SHADOW_ROOTS = `{
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, { ...init, mode: 'open' });
  };
}`;

describe('accessibility and small screens', () => {
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

  it('the console passes axe out of a session, in one, and after it; so does the sign-in page', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/agent/login.html`);
    assert.deepEqual(await seriousViolations(page), [], report(await seriousViolations(page)));
    await page.goto(`${server.url}/agent/`);
    assert.equal(report(await seriousViolations(page)), '');
    await context.close();

    const { customerContext, agentContext, customer } = await openDemoSides(browser, server.url);
    const code = await startDemoSession(customer);
    const token = await mintTestToken({ name: 'Ann', privileges: CONTROL });
    const agent = await openConsole(agentContext, server.url, code, token);
    await agent.locator('#control').click();
    await agent.locator('#notice.shown').waitFor();
    // The customer's mirrored page is theirs, not the console's: it is left out.
    assert.equal(report(await seriousViolations(agent, { exclude: ['#view'] })), '');
    await agent.locator('#end').click();
    await agent.locator('#ended').waitFor({ state: 'visible' });
    assert.equal(report(await seriousViolations(agent, { exclude: ['#view'] })), '');
    await agentContext.close();
    await customerContext.close();
  });

  it('the widget passes axe while asking for consent and in control', async () => {
    const { customerContext, agentContext, customer } = await openDemoSides(browser, server.url, {
      beforeLoad: (page) => void page.addInitScript(OPEN_SHADOW_ROOTS),
    });
    const code = await startDemoSession(customer);
    const token = await mintTestToken({ name: 'Ann', privileges: CONTROL });
    const agent = await openConsole(agentContext, server.url, code, token);
    const widgetOnly = { include: ['tandem-widget'] };
    assert.equal(report(await seriousViolations(customer, widgetOnly)), '');
    await agent.locator('#control').click();
    await waitForWidget(customerContext, customer, /\[Allow\]/);
    assert.equal(report(await seriousViolations(customer, widgetOnly)), '');
    await clickWidgetButton(customerContext, customer, 'allow');
    await waitForWidget(customerContext, customer, /\[Stop control\]/);
    assert.equal(report(await seriousViolations(customer, widgetOnly)), '');
    await agentContext.close();
    await customerContext.close();
  });

  it('the console works by keyboard, shows where the focus is, and announces changes', async () => {
    const { customerContext, agentContext, customer } = await openDemoSides(browser, server.url);
    const code = await startDemoSession(customer);
    const token = await mintTestToken({ name: 'Ann', privileges: CONTROL });
    const agent = await openConsole(agentContext, server.url, code, token);
    // Tab from the top reaches the session's controls, each with a visible focus.
    await agent.locator('body').focus();
    const reached: string[] = [];
    for (let i = 0; i < 14 && !reached.includes('control'); i++) {
      await agent.keyboard.press('Tab');
      const focus = await focusOutline(agent);
      if (focus.tag === 'button' || focus.tag === 'a' || focus.tag === 'div') {
        assert.doesNotMatch(focus.outline, /^none|0px$/, `focus on #${focus.id} is visible`);
      }
      reached.push(focus.id);
    }
    assert.ok(reached.includes('control'), `Request control is reachable by Tab: ${reached}`);
    // The live region says what happened when the keyboard presses it.
    await agent.keyboard.press('Enter');
    const notice = agent.locator('#notice');
    assert.equal(await notice.getAttribute('aria-live'), 'polite');
    await pollUntil('the request to be announced', async () =>
      /Asked the customer for control/.test((await notice.textContent()) ?? '') ? true : undefined,
    );
    assert.equal(await agent.locator('#state').getAttribute('role'), 'status');
    await clickWidgetButton(customerContext, customer, 'allow');
    await pollUntil('the grant to be announced', async () =>
      /allowed control/.test((await notice.textContent()) ?? '') ? true : undefined,
    );
    // The view of the page takes the keyboard focus too, and Tab leaves it again (no trap).
    await agent.locator('#overlay').focus();
    await agent.keyboard.press('Tab');
    assert.notEqual((await focusOutline(agent)).id, 'overlay');
    await agentContext.close();
    await customerContext.close();
  });

  it('keeps the console header on one line at 1024 px', async () => {
    const { customerContext, agentContext, customer } = await openDemoSides(browser, server.url, {
      agentViewport: { width: 1024, height: 768 },
    });
    const code = await startDemoSession(customer);
    const token = await mintTestToken({ name: 'Ann', privileges: CONTROL });
    const agent = await openConsole(agentContext, server.url, code, token);
    const header = await agent.locator('header.bar').boundingBox();
    const button = await agent.locator('#end').boundingBox();
    assert.ok(header && button);
    assert.ok(header.height < button.height * 2, `one line: ${header.height}px high`);
    const width = await agent.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 1024, `nothing sticks out sideways: ${width}px`);
    await agentContext.close();
    await customerContext.close();
  });

  it('folds the widget into a chip on a phone, and opens it for a control request', async () => {
    const customerContext = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const customer = await customerContext.newPage();
    await customer.goto(`${server.url}/demo/`);
    const code = await startDemoSession(customer);
    const { value: chip } = await pollUntil('the chip', () =>
      widgetBox(customerContext, customer, 'chip'),
    );
    const share = (chip.width * chip.height) / (390 * 844);
    assert.ok(share < 0.05, `the chip covers ${(share * 100).toFixed(1)}% of the screen`);
    assert.equal(await widgetBox(customerContext, customer, 'panel'), undefined);

    await clickWidgetButton(customerContext, customer, 'chip');
    await waitForWidget(customerContext, customer, /Waiting for an agent.*\[End session\]/);
    await clickWidgetButton(customerContext, customer, 'fold');
    await pollUntil('folded again', async () =>
      (await widgetBox(customerContext, customer, 'panel')) === undefined ? true : undefined,
    );

    const agentContext = await browser.newContext({ ignoreHTTPSErrors: true });
    const token = await mintTestToken({ name: 'Ann', privileges: CONTROL });
    const agent = await openConsole(agentContext, server.url, code, token, { minNodes: 5 });
    await agent.locator('#control').click();
    await waitForWidget(customerContext, customer, /Ann asks to control.*\[Allow\]/);
    const panel = await widgetBox(customerContext, customer, 'panel');
    assert.ok(panel && panel.width <= 390, 'the panel fits the phone');
    await agentContext.close();
    await customerContext.close();
  });
});
