/**
 * The check that the agent's mirror equals the customer's page, for tests that run the real
 * console: the page's shape as a person sees it (elements, ids and text, in order) in both, and
 * the values of the form fields that are not masked.
 */
import type { Page } from 'playwright-core';
import { pollUntil } from './browser.ts';

/**
 * The page's shape as a person sees it: elements (tag and id) and their text, in order, without
 * scripts, styles, the widget, or what lives inside frames and canvases (the console shows a
 * canvas as an image marked `data-tandem-canvas`). Plain JavaScript source, evaluated in both
 * pages: a compiled function would carry the test runner's helpers with it.
 */
export const SHAPE_OF = `(body) => {
  const out = [];
  const walk = (parent, depth) => {
    for (const child of Array.from(parent.childNodes)) {
      if (child.nodeType === 1) {
        let tag = child.localName;
        if (['script', 'noscript', 'style', 'link', 'tandem-widget'].includes(tag)) continue;
        if (tag === 'img' && child.hasAttribute('data-tandem-canvas')) tag = 'canvas';
        out.push(depth + ':' + tag + (child.id ? '#' + child.id : ''));
        if (tag !== 'iframe' && tag !== 'canvas') walk(child, depth + 1);
      } else if (child.nodeType === 3) {
        const text = (child.textContent || '').trim();
        if (text) out.push(depth + ':"' + text + '"');
      }
    }
  };
  walk(body, 0);
  return out.join('\\n');
}`;

/** The shape of the customer's page. */
export const customerShape = (customer: Page): Promise<string> =>
  customer.evaluate(`(${SHAPE_OF})(document.body)`);

/** The shape of the page the console shows (empty while it shows none). */
export const agentShape = (agent: Page): Promise<string> =>
  agent.evaluate(
    `(() => { const doc = document.querySelector('#view').contentDocument; return doc && doc.body ? (${SHAPE_OF})(doc.body) : ''; })()`,
  );

/** Waits until the console's mirror has the customer's page's shape; fails with both shapes. */
export async function expectMirrorEqualsPage(
  customer: Page,
  agent: Page,
  what: string,
  timeoutMs = 15_000,
): Promise<number> {
  let expected = '';
  let actual = '';
  try {
    const { elapsedMs } = await pollUntil(
      what,
      async () => {
        expected = await customerShape(customer);
        actual = await agentShape(agent);
        return expected === actual && expected !== '' ? true : undefined;
      },
      timeoutMs,
    );
    return elapsedMs;
  } catch (error) {
    throw new Error(
      `${what}: the mirror differs\n--- customer\n${expected}\n--- agent\n${actual}`,
      {
        cause: error,
      },
    );
  }
}
