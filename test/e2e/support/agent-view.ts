/**
 * An agent for browser tests of what the server relays: a raw Socket.IO agent (signed token)
 * joins a session and hands every snapshot and batch to the console's own mirror code, running in
 * real Chromium in a sandboxed frame served with the console's real Content-Security-Policies.
 * It also keeps every relayed message, so tests can check the wire as well as the rendering.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { BrowserContext, Page } from 'playwright-core';
import {
  AGENT_CONSOLE_CSP,
  PAGE_FRAME_CSP,
} from '../../../server/src/transport/security-headers.ts';
import type { JoinResult, PageBatch, PageSnapshot } from '../../../server/src/protocol/index.ts';
import { PROTOCOL_VERSION } from '../../../server/src/protocol/index.ts';
import { bundleHarness, type HarnessGlobal } from './harness.ts';
import type { Route } from './static-server.ts';

const web = fileURLToPath(new URL('../../../server/web/', import.meta.url));

export const AGENT_SECRET = 'agent-view-test-secret-0123456789abcdef';

/** An HS256 agent token the server accepts with `agents.secret: AGENT_SECRET`. */
export function mintAgentToken(secret = AGENT_SECRET): string {
  const encode = (value: object): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = encode({ alg: 'HS256', typ: 'JWT' });
  const body = encode({
    sub: 'agent-view',
    name: 'Agent',
    scope: 'cobrowse:monitor',
    iss: 'tandem',
    aud: 'tandem-agents',
    iat: now,
    exp: now + 3600,
  });
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** Routes a static server needs to host the mirror: the page, the frame and the bundled code. */
export async function mirrorRoutes(): Promise<Record<string, Route>> {
  const js = await bundleHarness();
  return {
    '/mirror.html': {
      body: async () =>
        '<!doctype html><html><head><meta charset="utf-8"><title>Mirror</title>' +
        '<script src="/harness.js"></script></head><body>' +
        '<iframe id="view" sandbox="allow-same-origin" src="/agent/frame.html" width="1000" height="700"></iframe>' +
        '</body></html>',
      headers: { 'content-type': 'text/html', 'content-security-policy': AGENT_CONSOLE_CSP },
    },
    '/harness.js': { body: async () => js, headers: { 'content-type': 'text/javascript' } },
    '/agent/frame.html': {
      body: `${web}agent/frame.html`,
      headers: { 'content-security-policy': PAGE_FRAME_CSP },
    },
  };
}

export type Relayed =
  { kind: 'snapshot'; snapshot: PageSnapshot } | { kind: 'batch'; ops: PageBatch['ops'] };

export interface AgentView {
  page: Page;
  /** Every message relayed to the agent, in order. */
  relayed: Relayed[];
  /** Canary calls made from the agent's page or frame. */
  canary: string[];
  /** Dialogs (alert, confirm, print) opened in the agent's page. */
  dialogs: string[];
  close(): Promise<void>;
}

/** Joins the session with `code` and renders what is relayed in a new page of `context`. */
export async function openAgentView(
  context: BrowserContext,
  serverUrl: string,
  mirrorUrl: string,
  code: string,
): Promise<AgentView> {
  const page = await context.newPage();
  const canary: string[] = [];
  const dialogs: string[] = [];
  await page.exposeFunction('__canary', (id: unknown) => canary.push(String(id)));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(mirrorUrl);
  const relayed: Relayed[] = [];
  let chain = Promise.resolve();
  const forward = (message: Relayed): void => {
    relayed.push(message);
    const json = JSON.stringify([message]);
    chain = chain.then(() =>
      page.evaluate((m) => (globalThis as unknown as HarnessGlobal).tandemHarness.apply(m), json),
    );
  };
  const socket: Socket = io(`${serverUrl}/agent`, {
    transports: ['websocket'],
    reconnection: false,
    rejectUnauthorized: false,
    forceNew: true,
    auth: { token: mintAgentToken() },
  });
  socket.on('page:snapshot', (snapshot: PageSnapshot) => forward({ kind: 'snapshot', snapshot }));
  socket.on('page:batch', (batch: PageBatch) => forward({ kind: 'batch', ops: batch.ops }));
  const joined = (await socket.timeout(10_000).emitWithAck('session:join', {
    protocol: PROTOCOL_VERSION,
    code,
    name: 'Agent',
  })) as JoinResult;
  assert.ok(joined.ok, `the agent joins: ${JSON.stringify(joined)}`);
  return {
    page,
    relayed,
    canary,
    dialogs,
    async close() {
      socket.disconnect();
      await chain.catch(() => undefined);
      await page.close();
    },
  };
}
