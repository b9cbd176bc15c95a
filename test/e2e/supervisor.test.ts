/**
 * Supervision in the agent console, in real Chromium against a real node: a supervisor's console
 * lists live sessions without knowing their codes (on its timer and on Refresh), watches one and
 * sees the customer's page, and goes back to the list; a monitor-only console shows no list; and
 * when the server refuses the list, the console says why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { startDemoSession, type AgentGlobal } from './support/demo-session.ts';

const SUPERVISOR = 'Sam Supervisor';

/** Starts a session from the demo page's button, in a context of its own; returns the code. */
async function startCustomer(
  browser: Browser,
  serverUrl: string,
): Promise<{ page: Page; code: string }> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1100, height: 800 },
  });
  const page = await context.newPage();
  await page.goto(`${serverUrl}/demo/`);
  return { page, code: await startDemoSession(page) };
}

async function openConsole(context: BrowserContext, serverUrl: string, token: string) {
  const page = await context.newPage();
  // A fake clock that runs like the real one until paused: it lets the test stop the periodic
  // refresh, to prove that the Refresh button alone brings a new session in.
  await page.clock.install();
  await page.goto(`${serverUrl}/agent/#token=${token}`);
  await pollUntil('the console to start', () =>
    page.evaluate(() => ((globalThis as AgentGlobal).__tandemAgent ? true : undefined)),
  );
  return page;
}

const rowCount = (page: Page): Promise<number> => page.locator('#sessions-rows tr').count();

describe('supervisor: the Sessions panel of the agent console', () => {
  let server: RunningServer;
  let browser: Browser;
  let agentContext: BrowserContext;

  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    agentContext = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 1000 },
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists sessions without their codes, refreshes on Refresh and on its timer, watches one and goes back', async () => {
    const token = await mintTestToken({
      name: SUPERVISOR,
      privileges: ['cobrowse:monitor', 'cobrowse:supervise'],
    });
    const sup = await openConsole(agentContext, server.url, token);
    await pollUntil('the empty list', async () =>
      (await sup.locator('#sessions-empty').isVisible()) &&
      (await sup.locator('#sessions-status').textContent()) === '0 live sessions'
        ? true
        : undefined,
    );
    assert.equal(await sup.locator('#sessions-status').getAttribute('aria-live'), 'polite');
    assert.equal(await sup.locator('#placeholder').isVisible(), false);

    // With the clock paused no timer fires: only Refresh can show the new session.
    await sup.clock.pauseAt(Date.now() + 1000);
    const first = await startCustomer(browser, server.url);
    await sup.getByRole('button', { name: 'Refresh' }).click();
    await pollUntil('Refresh to list the session', async () =>
      (await rowCount(sup)) === 1 ? true : undefined,
    );
    const table = sup.getByRole('table');
    for (const header of ['Session', 'Page', 'Status', 'Customer', 'Agents', 'Age'])
      assert.equal(
        await table.getByRole('columnheader', { name: header, exact: true }).count(),
        1,
        header,
      );
    const row = sup.locator('#sessions-rows tr').first();
    const text = (await row.textContent()) ?? '';
    assert.ok(text.includes(`${new URL(server.url).origin}/demo/`), text);
    assert.ok(text.includes('Waiting for an agent') && text.includes('Connected'), text);
    assert.ok(!text.includes(first.code), 'the list never shows a session code');

    // The clock runs again: the periodic refresh brings a second session in without a click.
    await sup.clock.resume();
    const second = await startCustomer(browser, server.url);
    await pollUntil(
      'the periodic refresh to list the second session',
      async () => ((await rowCount(sup)) === 2 ? true : undefined),
      10_000,
    );
    assert.equal(await sup.locator('#sessions-status').textContent(), '2 live sessions');

    // Watch the first session (sessions are listed oldest first).
    await sup
      .getByRole('button', { name: /^Watch session/ })
      .first()
      .click();
    await pollUntil(
      'the supervisor to see the page',
      () =>
        sup.evaluate(() => {
          const hooks = (globalThis as AgentGlobal).__tandemAgent;
          return hooks?.state() === 'connected' && hooks.nodeCount() > 20 ? true : undefined;
        }),
      10_000,
    );
    assert.equal(await sup.locator('#sessions').isVisible(), false);
    assert.equal(await sup.locator('#leave').isVisible(), false);
    assert.ok(((await sup.locator('#people').textContent()) ?? '').includes(SUPERVISOR));
    await first.page.locator('#name').pressSequentially('Grace Hopper');
    await pollUntil('the typing to show in the watched page', async () =>
      (await sup.frameLocator('#view').locator('#name').inputValue()) === 'Grace Hopper'
        ? true
        : undefined,
    );
    const watchedId = (await row.locator('th').getAttribute('title')) ?? '';
    await pollUntil('the watch is audited as a supervisor join of that session', async () =>
      server.logs.some(
        (line) =>
          line.audit === true &&
          line.event === 'agent.joined' &&
          (line.detail as { via?: string } | undefined)?.via === 'supervisor' &&
          (line.actor as { role?: string } | undefined)?.role === 'supervisor' &&
          line.session === watchedId,
      )
        ? true
        : undefined,
    );

    // Back to the list: the supervisor is no longer among the agents of that session.
    await sup.getByRole('button', { name: 'Back to sessions' }).click();
    await pollUntil(
      'the list to show the session without the supervisor',
      async () => {
        if (!(await sup.locator('#sessions').isVisible())) return undefined;
        const rows = await sup.locator('#sessions-rows tr').allTextContents();
        return rows.length === 2 && rows.every((r) => r.includes('None')) ? true : undefined;
      },
      10_000,
    );
    assert.equal(await sup.locator('#viewport').isVisible(), false);
    await Promise.all([first.page.context().close(), second.page.context().close(), sup.close()]);
  });

  it('shows no Sessions panel to an agent without the supervise privilege', async () => {
    const customer = await startCustomer(browser, server.url);
    const token = await mintTestToken({ name: 'Mo', privileges: ['cobrowse:monitor'] });
    const mo = await openConsole(agentContext, server.url, token);
    assert.equal(await mo.locator('#sessions').isVisible(), false);
    assert.equal(await mo.locator('#placeholder').isVisible(), true);
    assert.equal(
      await mo.evaluate(() => (globalThis as AgentGlobal).__tandemAgent?.sessionsShown()),
      false,
    );
    assert.ok(
      !server.logs.some((line) => line.event === 'agent.refused' && line.agent === 'test:mo'),
      'the console did not even ask for the list',
    );
    await Promise.all([customer.page.context().close(), mo.close()]);
  });

  it('says clearly when the server refuses the list', async () => {
    // This node reads privileges from another claim: the token's `scope` grants nothing there,
    // so the console shows the panel and the server refuses it.
    const strict = await startServer({ agents: { privilegesClaim: 'roles' } });
    try {
      const token = await mintTestToken({
        name: 'Sue',
        privileges: ['cobrowse:monitor', 'cobrowse:supervise'],
      });
      const page = await openConsole(agentContext, strict.url, token);
      const { value: message } = await pollUntil('the refusal', async () => {
        const text = await page.getByRole('alert').filter({ hasText: 'supervise' }).textContent();
        return text || undefined;
      });
      assert.match(message, /not allowed to supervise sessions.*cobrowse:supervise/);
      assert.equal(await page.locator('#sessions-table').isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Refresh' }).isDisabled(), true);
      await page.close();
    } finally {
      await strict.stop();
    }
  });
});
