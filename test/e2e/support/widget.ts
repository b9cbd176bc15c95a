/**
 * What the customer sees of the widget, for browser tests. The widget lives in a closed shadow
 * root that page scripts and selectors cannot reach (by design); the DevTools protocol sees it,
 * so tests read and press it from there, the way a person would: by what is shown, and by
 * clicking where a button is drawn.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { pollUntil } from './browser.ts';

interface CdpNode {
  nodeId: number;
  nodeType: number;
  nodeName: string;
  nodeValue?: string;
  attributes?: string[];
  children?: CdpNode[];
  shadowRoots?: CdpNode[];
}

function attribute(node: CdpNode, name: string): string | undefined {
  const attrs = node.attributes ?? [];
  for (let i = 0; i + 1 < attrs.length; i += 2) if (attrs[i] === name) return attrs[i + 1];
  return undefined;
}

async function widgetRoot(cdp: CDPSession): Promise<CdpNode | undefined> {
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as {
    root: CdpNode;
  };
  const stack: CdpNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.nodeName === 'TANDEM-WIDGET') return node.shadowRoots?.[0];
    stack.push(...(node.children ?? []));
  }
  return undefined;
}

/** The text shown in the widget (elements with `hidden` and styles left out), one line per block. */
function shownText(node: CdpNode): string[] {
  if (node.nodeType === 3) return node.nodeValue?.trim() ? [node.nodeValue.trim()] : [];
  if (node.nodeName === 'STYLE' || attribute(node, 'hidden') !== undefined) return [];
  const parts = (node.children ?? []).flatMap(shownText);
  return node.nodeName === 'BUTTON' ? [`[${parts.join(' ')}]`] : parts;
}

async function withCdp<T>(
  context: BrowserContext,
  page: Page,
  fn: (cdp: CDPSession) => Promise<T>,
): Promise<T> {
  const cdp = await context.newCDPSession(page);
  try {
    return await fn(cdp);
  } finally {
    await cdp.detach();
  }
}

/** The widget's visible text, buttons as `[Label]`; '' when there is no widget. */
export function widgetText(context: BrowserContext, page: Page): Promise<string> {
  return withCdp(context, page, async (cdp) => {
    const root = await widgetRoot(cdp);
    return root ? shownText(root).join(' | ') : '';
  });
}

/** Waits until the widget's text matches `pattern`; returns that text. */
export async function waitForWidget(
  context: BrowserContext,
  page: Page,
  pattern: RegExp,
  timeoutMs = 5000,
): Promise<string> {
  const { value } = await pollUntil(
    `the widget to show ${pattern}`,
    async () => {
      const text = await widgetText(context, page);
      return pattern.test(text) ? text : undefined;
    },
    timeoutMs,
  );
  return value;
}

/** The box of the first shown widget element with this class, in CSS pixels of the viewport. */
export function widgetBox(
  context: BrowserContext,
  page: Page,
  className: string,
): Promise<{ x: number; y: number; width: number; height: number } | undefined> {
  return withCdp(context, page, async (cdp) => {
    const root = await widgetRoot(cdp);
    const stack: CdpNode[] = root ? [root] : [];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (attribute(node, 'hidden') !== undefined) continue;
      const classes = (attribute(node, 'class') ?? '').split(/\s+/);
      if (classes.includes(className)) {
        const { model } = (await cdp.send('DOM.getBoxModel', { nodeId: node.nodeId })) as {
          model: { border: number[] };
        };
        const [x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = model.border;
        return { x: x1, y: y1, width: x3 - x1, height: y3 - y1 };
      }
      stack.push(...(node.children ?? []));
    }
    return undefined;
  });
}

/** Clicks the centre of the widget's shown button with this class, like a person would. */
export async function clickWidgetButton(
  context: BrowserContext,
  page: Page,
  className: string,
): Promise<void> {
  const { value: box } = await pollUntil(
    `the widget's .${className} button`,
    () => widgetBox(context, page, className),
    5000,
  );
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}
