/**
 * The two sides most browser tests start from: a customer on the demo shop asking for help, and
 * an agent who opens the console with the code the customer reads out.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pollUntil } from './browser.ts';

/** The console's test hooks (`window.__tandemAgent`, see console-app.ts). */
export interface AgentHooks {
  state(): string;
  nodeCount(): number;
  lastSeq(): number;
  scale(): number;
  controlMode(): string;
  sessionsShown(): boolean;
  /** The stable code of the notice shown over the view, or null. */
  notice(): string | null;
  /** The drawing tool chosen (point, highlight, draw), and the drawings shown over the view. */
  tool(): string;
  drawings(): number;
}

export interface AgentGlobal {
  __tandemAgent?: AgentHooks;
}

/** The snippet's global on the customer's page. */
export interface CustomerGlobal {
  Tandem: { state: string; notice: string; start(): Promise<string>; stop(): void };
}

export interface DemoSides {
  customerContext: BrowserContext;
  agentContext: BrowserContext;
  /** The demo shop, loaded. */
  customer: Page;
}

/**
 * A customer's browser context with the demo shop open, and an agent's; both accept the test
 * server's self-signed certificate. `beforeLoad` sees the customer's page before it loads.
 */
export async function openDemoSides(
  browser: Browser,
  origin: string,
  {
    agentViewport = { width: 1280, height: 900 },
    beforeLoad,
  }: { agentViewport?: { width: number; height: number }; beforeLoad?: (page: Page) => void } = {},
): Promise<DemoSides> {
  const customerContext = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1100, height: 800 },
  });
  const agentContext = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: agentViewport,
  });
  const customer = await customerContext.newPage();
  beforeLoad?.(customer);
  await customer.goto(`${origin}/demo/`);
  return { customerContext, agentContext, customer };
}

/** Presses the demo page's help button; returns the code the page shows. */
export async function startDemoSession(customer: Page): Promise<string> {
  await customer.locator('#help').click();
  const { value } = await pollUntil(
    'the session code',
    async () => (await customer.locator('#help-status').textContent())?.match(/agent: (\S+)/)?.[1],
    10_000,
  );
  return value;
}

/** The console's address that signs in with `token` and joins `code` at once. */
export function consoleUrl(origin: string, code: string, token: string, name?: string): string {
  const named = name === undefined ? '' : `&name=${encodeURIComponent(name)}`;
  return `${origin}/agent/?code=${encodeURIComponent(code)}${named}#token=${token}`;
}

/** The agent console's state: connecting, connected, ended… */
export const agentState = (agent: Page): Promise<string> =>
  agent.evaluate(() => (globalThis as unknown as AgentGlobal).__tandemAgent?.state() ?? 'loading');

/**
 * Opens the console joining `code` in a new page of `context`, and waits until it is connected
 * and shows more than `minNodes` nodes of the customer's page.
 */
export async function openConsole(
  context: BrowserContext,
  origin: string,
  code: string,
  token: string,
  { name, minNodes = 20 }: { name?: string; minNodes?: number } = {},
): Promise<Page> {
  const agent = await context.newPage();
  await agent.goto(consoleUrl(origin, code, token, name));
  await pollUntil(
    'the agent to see the page',
    () =>
      agent.evaluate((min) => {
        const hooks = (globalThis as unknown as AgentGlobal).__tandemAgent;
        return hooks?.state() === 'connected' && hooks.nodeCount() > min ? true : undefined;
      }, minNodes),
    10_000,
  );
  return agent;
}
