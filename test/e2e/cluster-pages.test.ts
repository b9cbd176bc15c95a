/**
 * A session that follows the customer across a cluster: two real nodes, one real Redis, HAProxy
 * in front. The customer starts on n1 with the agent on n2; the next page loads through n1, then
 * the customer's affinity moves to n2 and the page reloads there. The resume credential, the
 * page stream and the agent's mirror carry over: after each, the mirror equals the page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintTestToken } from '../support/agent-tokens.ts';

import { pollUntil } from './support/browser.ts';
import { useClusterAndBrowser } from './support/node-and-browser.ts';
import { agentState, consoleUrl, startDemoSession } from './support/demo-session.ts';
import { expectMirrorEqualsPage } from './support/page-shape.ts';

describe('a session follows the customer across the nodes of a cluster', () => {
  const live = useClusterAndBrowser(2);

  it('continues through a link on n1 and a reload that lands on n2', async () => {
    const { url, cookie } = live.cluster.balancer;
    const customerContext = await live.browser.newContext({ ignoreHTTPSErrors: true });
    await customerContext.addCookies([{ name: cookie, value: 'n1', url }]);
    const customer = await customerContext.newPage();
    await customer.goto(`${url}/demo/product.html`);
    const code = await startDemoSession(customer);
    const agentContext = await live.browser.newContext({ ignoreHTTPSErrors: true });
    await agentContext.addCookies([{ name: cookie, value: 'n2', url }]);
    const agent = await agentContext.newPage();
    await agent.goto(consoleUrl(url, code, await mintTestToken({ name: 'Bob' })));
    await pollUntil(
      'the agent connected',
      async () => ((await agentState(agent)) === 'connected' ? true : undefined),
      15_000,
    );
    await expectMirrorEqualsPage(customer, agent, 'the product page');

    await customer.locator('#to-cart').click();
    await customer.waitForURL('**/demo/cart.html', { waitUntil: 'commit' });
    await expectMirrorEqualsPage(customer, agent, 'a link, through n1');

    const resumedOn = (node: number): number =>
      live.cluster.nodes[node]!.server.logs.filter((l) => l.msg === 'customer resumed').length;
    const beforeOnN2 = resumedOn(1);
    await customerContext.addCookies([{ name: cookie, value: 'n2', url }]);
    await customer.reload();
    await expectMirrorEqualsPage(customer, agent, 'a reload that landed on n2');
    await pollUntil('n2 to have resumed the customer', async () =>
      resumedOn(1) > beforeOnN2 ? true : undefined,
    );
    assert.equal(await agentState(agent), 'connected');
    assert.equal(await customer.evaluate('Tandem.start()'), code, 'the same session');
  });
});
