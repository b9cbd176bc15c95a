/**
 * The browser flow across a cluster: three real nodes, one real Redis, HAProxy with cookie
 * affinity in front. The customer sits on one node and two agents on the others; then the
 * customer's node is killed (-9) and an agent's node is stopped (SIGTERM), and each time both
 * sides reconnect through the balancer and the agents' view ends equal to the customer's page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startCluster, type RunningCluster } from '../support/cluster.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import {
  agentState,
  consoleUrl,
  startDemoSession,
  type CustomerGlobal,
} from './support/demo-session.ts';
import { agentShape, customerShape as shapeOfCustomer } from './support/page-shape.ts';

describe('co-browsing across a cluster', () => {
  let cluster: RunningCluster;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let customer: Page;
  const agents: Page[] = [];

  before(async () => {
    cluster = await startCluster(3);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  /** A browser context pinned to one node by the balancer's affinity cookie. */
  async function contextOn(node: string): Promise<BrowserContext> {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1100, height: 800 },
    });
    await context.addCookies([
      { name: cluster.balancer.cookie, value: node, url: cluster.balancer.url },
    ]);
    contexts.push(context);
    return context;
  }

  const customerShape = (): Promise<string> => shapeOfCustomer(customer);

  /** Waits until every agent's view has the customer's shape and name field. */
  async function expectAgentsInSync(what: string, timeoutMs = 15_000): Promise<void> {
    const { elapsedMs } = await pollUntil(
      what,
      async () => {
        const expected = await customerShape();
        const name = await customer.locator('#name').inputValue();
        for (const agent of agents) {
          if ((await agentShape(agent)) !== expected) return undefined;
          if ((await agent.frameLocator('#view').locator('#name').inputValue()) !== name)
            return undefined;
        }
        return true;
      },
      timeoutMs,
    );
    console.log(`  ${what}: agents in sync after ${elapsedMs} ms`);
  }

  const customerState = (): Promise<string> =>
    customer.evaluate(() => (globalThis as unknown as CustomerGlobal).Tandem.state);

  it('mirrors the demo shop from a customer on n1 to agents on n2 and n3', async () => {
    customer = await (await contextOn('n1')).newPage();
    await customer.goto(`${cluster.balancer.url}/demo/`);
    const code = await startDemoSession(customer);
    for (const [node, name] of [
      ['n2', 'Bob'],
      ['n3', 'Carol'],
    ] as const) {
      const page = await (await contextOn(node)).newPage();
      const token = await mintTestToken({ name });
      await page.goto(consoleUrl(cluster.balancer.url, code, token, name));
      agents.push(page);
    }
    await pollUntil(
      'both agents connected',
      async () => {
        for (const agent of agents) if ((await agentState(agent)) !== 'connected') return undefined;
        return true;
      },
      10_000,
    );
    await customer.locator('#name').pressSequentially('Grace Hopper');
    await customer.locator('#add-item').click();
    await customer.locator('#express').click();
    await expectAgentsInSync('initial flow across nodes');
    assert.equal(await customerState(), 'active');
  });

  it('recovers when the customer node is killed with -9', async () => {
    cluster.nodes[0]!.server.process.kill('SIGKILL');
    await pollUntil(
      'the customer to notice',
      async () => ((await customerState()) === 'reconnecting' ? true : undefined),
      15_000,
    ).catch(() => undefined);
    await pollUntil(
      'the customer to resume elsewhere',
      async () => ((await customerState()) === 'active' ? true : undefined),
      20_000,
    );
    await customer.locator('#add-item').click();
    await customer.locator('#name').fill('Grace B. Hopper');
    await expectAgentsInSync('after kill -9 of the customer node');
    await cluster.restart('n1');
  });

  it('recovers, with no error shown, when an agent node is stopped with SIGTERM', async () => {
    const code = await cluster.nodes[1]!.server.stop('SIGTERM');
    const logs = cluster.nodes[1]!.server.logs.filter((l) => Number(l.level) >= 50);
    assert.equal(
      code,
      0,
      `the node drains and exits cleanly: ${JSON.stringify(logs)} ${cluster.nodes[1]!.server.stderr()}`,
    );
    await pollUntil(
      'every agent connected again',
      async () => {
        for (const agent of agents) if ((await agentState(agent)) !== 'connected') return undefined;
        return true;
      },
      20_000,
    );
    await customer.locator('#remove-item').click();
    await expectAgentsInSync('after SIGTERM of an agent node');
    for (const agent of agents) {
      const shown = (await agent.locator('#state').textContent()) ?? '';
      assert.doesNotMatch(shown, /error|ended|failed/i);
    }
    assert.equal(await customerState(), 'active');
  });
});
