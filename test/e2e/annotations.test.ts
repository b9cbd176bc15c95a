/**
 * Annotations end to end in real Chromium against a real node: a monitor-only agent (no control)
 * highlights an element and draws a stroke in the console; the customer sees both where they
 * were drawn, in the widget's own overlay and never in the page's DOM, named after the agent;
 * a second agent sees them too; strokes fade; the customer's "Clear drawings" reaches every
 * agent with a notice, and an agent's own clear reaches the customer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { STROKE_FADE_MS } from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pollUntil } from './support/browser.ts';
import { useNodeAndBrowser } from './support/node-and-browser.ts';
import {
  openConsole,
  openDemoSides,
  startDemoSession,
  type AgentGlobal,
} from './support/demo-session.ts';
import { clickWidgetButton, waitForWidget, widgetBox } from './support/widget.ts';

const hooks = (agent: Page): Promise<{ tool: string; drawings: number; notice: string | null }> =>
  agent.evaluate(() => {
    const h = (globalThis as unknown as AgentGlobal).__tandemAgent!;
    return { tool: h.tool(), drawings: h.drawings(), notice: h.notice() };
  });

async function waitForDrawings(agent: Page, count: number, what: string): Promise<void> {
  await pollUntil(what, async () => ((await hooks(agent)).drawings === count ? true : undefined));
}

/** The centre of an element of the customer's page, as the agent's view shows it. */
async function inView(agent: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await agent.frameLocator('#view').locator(selector).boundingBox();
  assert.ok(box, `${selector} is visible in the agent's view`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

describe('annotations: the agent draws on the customer’s page', () => {
  const live = useNodeAndBrowser();

  it('shows a monitor-only agent’s highlight and stroke to the customer and every agent, and clears them', async () => {
    const { customerContext, agentContext, customer } = await openDemoSides(
      live.browser,
      live.server.url,
      {
        agentViewport: { width: 1400, height: 1000 },
      },
    );
    const code = await startDemoSession(customer);
    const ann = await openConsole(
      agentContext,
      live.server.url,
      code,
      await mintTestToken({ name: 'Ann', privileges: ['cobrowse:monitor'] }),
    );
    const bob = await openConsole(
      await live.browser.newContext({
        ignoreHTTPSErrors: true,
        viewport: { width: 1400, height: 1000 },
      }),
      live.server.url,
      code,
      await mintTestToken({ name: 'Bob', privileges: ['cobrowse:monitor'] }),
    );
    const pageSvgsBefore = await customer.evaluate<number>(
      "document.querySelectorAll('svg').length",
    );

    // Highlight: a click puts a box around the element under it.
    await ann.locator('#tool-highlight').click();
    assert.equal(await ann.locator('#tool-highlight').getAttribute('aria-pressed'), 'true');
    assert.equal((await hooks(ann)).tool, 'highlight');
    const target = await inView(ann, '#add-item');
    await ann.mouse.click(target.x, target.y);
    await waitForWidget(customerContext, customer, /Ann drew on this page/);
    const { value: box } = await pollUntil('the highlight on the customer’s page', () =>
      widgetBox(customerContext, customer, 'highlight'),
    );
    const element = await customer.locator('#add-item').boundingBox();
    assert.ok(element);
    // The box surrounds the element, a few pixels out.
    assert.ok(Math.abs(box.x - (element.x - 4)) <= 2, `x ${box.x} vs ${element.x}`);
    assert.ok(Math.abs(box.y - (element.y - 4)) <= 2, `y ${box.y} vs ${element.y}`);
    assert.ok(Math.abs(box.width - (element.width + 8)) <= 3, `width ${box.width}`);
    await waitForDrawings(bob, 1, 'Bob to see the highlight');
    // Over the agent's view too, around the same element as the view scales it.
    for (const agent of [ann, bob]) {
      const drawn = await agent.locator('#annotations rect.highlight').boundingBox();
      const shown = await agent.frameLocator('#view').locator('#add-item').boundingBox();
      assert.ok(drawn && shown);
      assert.ok(Math.abs(drawn.x + drawn.width / 2 - (shown.x + shown.width / 2)) <= 3);
      assert.ok(Math.abs(drawn.y + drawn.height / 2 - (shown.y + shown.height / 2)) <= 3);
      assert.ok(drawn.width > shown.width);
    }

    // Draw: a freehand stroke, where the agent drew it on the customer's viewport.
    await ann.locator('#tool-draw').click();
    const view = await ann.locator('#overlay').boundingBox();
    assert.ok(view);
    const scale = await ann.evaluate(() =>
      (globalThis as unknown as AgentGlobal).__tandemAgent!.scale(),
    );
    const from = { x: view.x + 100, y: view.y + 120 };
    await ann.mouse.move(from.x, from.y);
    await ann.mouse.down();
    for (let i = 1; i <= 10; i++) await ann.mouse.move(from.x + i * 20, from.y + i * 8);
    await ann.mouse.up();
    const { value: stroke } = await pollUntil('the stroke on the customer’s page', () =>
      widgetBox(customerContext, customer, 'stroke'),
    );
    // In the customer's viewport where it was drawn in the agent's (both scrolled alike).
    assert.ok(Math.abs(stroke.x - 100 / scale) <= 6, `stroke x ${stroke.x}`);
    assert.ok(Math.abs(stroke.y - 120 / scale) <= 6, `stroke y ${stroke.y}`);
    assert.ok(Math.abs(stroke.width - 200 / scale) <= 8, `stroke width ${stroke.width}`);
    await waitForDrawings(bob, 2, 'Bob to see the stroke');
    // Drawing is no click on the page: nothing of it is page DOM, and no control was asked.
    assert.equal(
      await customer.evaluate<number>("document.querySelectorAll('svg').length"),
      pageSvgsBefore,
    );
    assert.equal((await hooks(ann)).notice === 'control.requested', false);

    // Strokes fade on their own; the highlight stays longer.
    await pollUntil(
      'the stroke to fade',
      async () => ((await widgetBox(customerContext, customer, 'stroke')) ? undefined : true),
      STROKE_FADE_MS + 5000,
    );
    assert.ok(await widgetBox(customerContext, customer, 'highlight'));

    // The customer clears them: every agent hears of it.
    await clickWidgetButton(customerContext, customer, 'dismiss');
    await waitForDrawings(ann, 0, 'Ann’s view to clear');
    await waitForDrawings(bob, 0, 'Bob’s view to clear');
    assert.equal((await hooks(bob)).notice, 'annotation.dismissed');
    assert.equal(await widgetBox(customerContext, customer, 'highlight'), undefined);

    // An agent's own clear reaches the customer.
    await ann.locator('#tool-highlight').click();
    await ann.mouse.click(target.x, target.y);
    await pollUntil('the new highlight', () => widgetBox(customerContext, customer, 'highlight'));
    await ann.locator('#clear-drawings').click();
    await pollUntil('the customer’s page to clear', async () =>
      (await widgetBox(customerContext, customer, 'highlight')) ? undefined : true,
    );
    await waitForDrawings(bob, 0, 'Bob’s view to clear again');

    // Escape goes back to pointing.
    await ann.locator('#overlay').focus();
    await ann.keyboard.press('Escape');
    assert.equal((await hooks(ann)).tool, 'point');

    await bob.context().close();
    await agentContext.close();
    await customerContext.close();
  });
});
