/**
 * The signed masking policy in real Chromium: the snippet reports the hash of the masking rules
 * it enforces; the server's own matches it for the snippet it serves, and a snippet whose rules
 * hash differently (here: the page's Web Crypto tampered with, as a modified snippet would lie)
 * is audited as `policy.mismatch` and warned about in the agent's console, also for an agent who
 * joins after the report.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { DEFAULT_RESTRICTIONS } from '../../server/src/protocol/index.ts';
import { maskingPolicyHash } from '../../server/src/security/masking-policy.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pollUntil } from './support/browser.ts';
import { useNodeAndBrowser } from './support/node-and-browser.ts';
import { openConsole, startDemoSession } from './support/demo-session.ts';

/** Every SHA-256 the page computes is of its input with one more byte: another policy's hash. */
const TAMPER = `(() => {
  const digest = SubtleCrypto.prototype.digest;
  SubtleCrypto.prototype.digest = function (algorithm, data) {
    const bytes = new Uint8Array(data.byteLength + 1);
    bytes.set(new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength));
    return digest.call(this, algorithm, bytes);
  };
})();`;

describe('the masking policy the snippet reports', () => {
  const contexts: BrowserContext[] = [];
  const live = useNodeAndBrowser();

  async function session(tampered: boolean) {
    const customerContext = await live.browser.newContext({ ignoreHTTPSErrors: true });
    const agentContext = await live.browser.newContext({ ignoreHTTPSErrors: true });
    contexts.push(customerContext, agentContext);
    if (tampered) await customerContext.addInitScript(TAMPER);
    const customer = await customerContext.newPage();
    await customer.goto(`${live.server.url}/demo/`);
    const code = await startDemoSession(customer);
    // Audit lines are written once chained in the store, a moment after the answer.
    const { value: sessionId } = await pollUntil('the session.started audit line', async () => {
      const line = live.server.logs.findLast(
        (l) => l.audit === true && l.event === 'session.started',
      );
      return typeof line?.session === 'string' ? line.session : undefined;
    });
    return { code, sessionId, agentContext };
  }

  const mismatches = (sessionId: string) =>
    live.server.logs.filter(
      (l) => l.audit === true && l.event === 'policy.mismatch' && l.session === sessionId,
    );

  it('matches for the snippet the server serves: no warning', async () => {
    const { code, sessionId, agentContext } = await session(false);
    const agent = await openConsole(agentContext, live.server.url, code, await mintTestToken());
    // The snippet reports its hash just after the start: waited for, not assumed.
    await pollUntil('the snippet reported, and its hash is the server’s', async () =>
      live.server.logs.some(
        (l) =>
          l.session === sessionId && l.msg === 'masking policy reported: the same as the server',
      )
        ? true
        : undefined,
    );
    assert.equal(await agent.locator('#policy-warning').isVisible(), false);
    assert.equal(mismatches(sessionId).length, 0);
    // The defaults' hash is what a node with no dom-restrictions config enforces.
    assert.match(maskingPolicyHash(DEFAULT_RESTRICTIONS), /^[0-9a-f]{64}$/);
  });

  it('audits a snippet with other rules and warns the agent, who joined after the report', async () => {
    const { code, sessionId, agentContext } = await session(true);
    await pollUntil('the mismatch audited', async () =>
      mismatches(sessionId).length === 1 ? true : undefined,
    );
    const [line] = mismatches(sessionId);
    assert.equal(
      (line?.detail as { expected?: string }).expected,
      maskingPolicyHash(DEFAULT_RESTRICTIONS),
    );
    assert.equal((line?.actor as { role?: string }).role, 'customer');
    const agent = await openConsole(agentContext, live.server.url, code, await mintTestToken());
    await pollUntil('the warning in the console', async () =>
      (await agent.locator('#policy-warning').isVisible()) ? true : undefined,
    );
    assert.match((await agent.locator('#policy-warning').textContent()) ?? '', /policy_mismatch/);
  });
});
