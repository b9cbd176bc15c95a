/**
 * The hostile client's serializer, run in a blank page: every vector parsed (never run) by a
 * <template> and copied node for node, scripts, handlers and all, skipping every snippet rule.
 * A string, so that no helper the test runner's compiler adds ends up in the page.
 */
import type { Browser } from 'playwright-core';
import type { ElementNode } from '../../../server/src/protocol/index.ts';

const RAW_SERIALIZER = `(list, firstId) => {
  let id = firstId;
  const walk = (node) => {
    if (node.nodeType === 3) return { type: 'text', id: id++, text: node.data };
    if (node.nodeType !== 1) return null;
    const attrs = {};
    for (const a of Array.from(node.attributes)) if (/^[^\\s"'>/=]+$/.test(a.name)) attrs[a.name] = a.value;
    const ns = node.namespaceURI === 'http://www.w3.org/2000/svg' ? 'svg'
      : node.namespaceURI === 'http://www.w3.org/1998/Math/MathML' ? 'math' : undefined;
    const tag = node.localName.toLowerCase();
    const kids = tag === 'template' ? node.content.childNodes : node.childNodes;
    const out = { type: 'element', id: id++, tag: /^[a-z][a-z0-9._-]*$/.test(tag) ? tag : 'x-bad', attrs,
      children: Array.from(kids, walk).filter(Boolean) };
    if (ns) out.ns = ns;
    if (tag === 'style') out.css = node.textContent || '';
    if (tag === 'iframe' && node.getAttribute('srcdoc')) {
      out.frame = { type: 'document', id: id++, children: [{ type: 'element', id: id++, tag: 'html', attrs: {},
        children: [{ type: 'element', id: id++, tag: 'script', attrs: {},
          children: [{ type: 'text', id: id++, text: node.getAttribute('srcdoc') }] }] }] };
    }
    return out;
  };
  return list.map((v) => {
    const t = document.createElement('template');
    t.innerHTML = v;
    return { type: 'element', id: id++, tag: 'div', attrs: {}, children: Array.from(t.content.childNodes, walk).filter(Boolean) };
  });
}`;

/** Each vector as a `<div>` holding its nodes exactly as parsed; ids count up from `firstId`. */
export async function serializeRaw(
  browser: Browser,
  vectors: string[],
  firstId = 100,
): Promise<ElementNode[]> {
  const page = await browser.newPage();
  try {
    return (await page.evaluate(
      `(${RAW_SERIALIZER})(${JSON.stringify(vectors)}, ${firstId})`,
    )) as ElementNode[];
  } finally {
    await page.close();
  }
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
