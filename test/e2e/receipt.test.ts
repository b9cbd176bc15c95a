/**
 * The session's receipt in real Chromium: when the customer ends the session, the widget offers
 * a receipt (the final audit hash, who joined, what they were allowed to do and when) that
 * matches the chain the server holds, and the agent console shows the same hash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { verifyAuditSources } from '../../server/src/security/audit-verify.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { launchChromium, pollUntil } from './support/browser.ts';
import { clickWidgetButton, widgetText } from './support/widget.ts';
import { openConsole, openDemoSides, startDemoSession } from './support/demo-session.ts';

describe('the receipt of a session', () => {
  let server: RunningServer;
  let browser: Browser;
  let customerContext: BrowserContext;
  let agentContext: BrowserContext;
  let customer: Page;

  before(async () => {
    server = await startServer();
    browser = await launchChromium();
    ({ customerContext, agentContext, customer } = await openDemoSides(browser, server.url));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("is offered to the customer, matches the server's chain, and the console shows its hash", async () => {
    const code = await startDemoSession(customer);
    const token = await mintTestToken({
      name: 'Alice',
      privileges: ['cobrowse:monitor', 'cobrowse:control'],
    });
    const agent = await openConsole(agentContext, server.url, code, token);
    await agent.locator('#control').click();
    await clickWidgetButton(customerContext, customer, 'allow');
    await pollUntil('control granted', async () =>
      /controls this page|Stop control/.test(await widgetText(customerContext, customer))
        ? true
        : undefined,
    );
    await clickWidgetButton(customerContext, customer, 'end');
    const { value: shown } = await pollUntil('the receipt in the widget', async () => {
      const text = await widgetText(customerContext, customer);
      return /Session receipt/.test(text) ? text : undefined;
    });
    const hash = /\b[0-9a-f]{64}\b/.exec(shown)?.[0];
    assert.ok(hash, `a hash in: ${shown}`);
    assert.match(shown, /Agent Alice joined/);
    assert.match(shown, /Alice asked for control/);
    assert.match(shown, /Alice was given control/);

    // The chain the server holds (its log) verifies and ends with that hash.
    const sessionId = String(
      server.logs.findLast((l) => l.audit === true && l.event === 'session.started')?.session,
    );
    const outcome = verifyAuditSources([
      { name: 'log', text: server.logs.map((l) => JSON.stringify(l)).join('\n') },
    ]);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.heads.get(sessionId)?.hash, hash);
    const ended = server.logs.findLast((l) => l.audit === true && l.session === sessionId);
    assert.equal(ended?.event, 'session.ended');

    // The console shows the same hash on its end screen.
    await pollUntil('the hash in the console', async () =>
      (await agent.locator('#ended-hash').textContent()) === hash ? true : undefined,
    );
    assert.equal(await agent.locator('#ended-receipt').isVisible(), true);
    // This server has no development sign-in: the console does not link to its page.
    await pollUntil('the sign-in link hidden', async () =>
      (await agent.locator('#sign-in').getAttribute('hidden')) !== null ? true : undefined,
    );
    // The receipt stays until the customer closes it.
    assert.match(await widgetText(customerContext, customer), /\[Close\]/);
  });
});
