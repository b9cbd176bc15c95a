/**
 * Control across two real nodes in real Chromium: the customer streams to n1, the agent sits on
 * n2. n2 judges the agent's actions on its own copy of the page, built from the store; that copy
 * is a cache that must follow the store. An element the customer's page makes read-only after the
 * agent's first action on it is refused on n2, by the server (audited there), not only by the
 * snippet's own check.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';

import { pollUntil } from './support/browser.ts';
import { useClusterAndBrowser } from './support/node-and-browser.ts';
import { openConsole, startDemoSession, type AgentGlobal } from './support/demo-session.ts';
import { clickWidgetButton } from './support/widget.ts';

describe('control across two nodes: the agent node’s page copy follows the store', () => {
  const live = useClusterAndBrowser(2);

  it('refuses on the agent’s node an element made read-only after the first action', async () => {
    const { url, cookie } = live.cluster.balancer;
    const customerContext = await live.browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1100, height: 800 },
    });
    await customerContext.addCookies([{ name: cookie, value: 'n1', url }]);
    const customer: Page = await customerContext.newPage();
    await customer.goto(`${url}/demo/`);
    const code = await startDemoSession(customer);
    const agentContext = await live.browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 1000 },
    });
    await agentContext.addCookies([{ name: cookie, value: 'n2', url }]);
    const token = await mintTestToken({
      name: 'Alice',
      privileges: ['cobrowse:monitor', 'cobrowse:control'],
    });
    const agent = await openConsole(agentContext, url, code, token);
    const [n1, n2] = [live.cluster.nodes[0]!.server, live.cluster.nodes[1]!.server];
    assert.ok(
      n2.logs.some((l) => l.msg === 'agent joined'),
      'the agent is on n2',
    );
    assert.ok(
      n1.logs.some((l) => l.msg === 'session started'),
      'the customer is on n1',
    );

    await agent.locator('#control').click();
    await clickWidgetButton(customerContext, customer, 'allow');
    await pollUntil('control granted', async () =>
      (await agent.evaluate(
        () => (globalThis as unknown as AgentGlobal).__tandemAgent?.controlMode() ?? 'loading',
      )) === 'granted'
        ? true
        : undefined,
    );

    const items = (): Promise<number> => customer.locator('#items li').count();
    const mirrored = agent.frameLocator('#view').locator('#add-item');
    const clickAdd = async (): Promise<void> => {
      const box = await mirrored.boundingBox();
      assert.ok(box, 'the button is visible in the agent’s view');
      await agent.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    };
    const before = await items();
    await clickAdd();
    await pollUntil('the first click to add an item', async () =>
      (await items()) === before + 1 ? true : undefined,
    );

    // The site makes the button read-only now; the change reaches the store (the agent sees it).
    await customer.evaluate(
      "document.getElementById('add-item').setAttribute('data-tandem-readonly', '')",
    );
    await pollUntil('the read-only mark in the agent’s view', async () =>
      (await mirrored.getAttribute('data-tandem-readonly')) !== null ? true : undefined,
    );
    const refusedOnN2 = (): boolean =>
      n2.logs.some(
        (l) => l.audit === true && l.event === 'control.refused' && l.reason === 'read_only',
      );
    assert.equal(refusedOnN2(), false);
    await clickAdd();
    await pollUntil('n2 to refuse the click as read-only', async () =>
      refusedOnN2() ? true : undefined,
    );
    assert.equal(await items(), before + 1, 'the read-only button was not pressed');
    assert.ok(
      n2.logs.some((l) => l.msg === 'message dropped' && l.code === 'read_only'),
      'the agent was told with the read-only code',
    );
  });
});
