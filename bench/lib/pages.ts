/** Generated pages for the browser scenarios: about `nodes` DOM nodes of shop-like markup. */
import { seededRandom } from './trace.ts';

const WORDS =
  'cart total item price ship order pay card name city street save apply code gift'.split(' ');

/** The body's HTML: sections of lists; each item is an element and a text node. */
export function generatePageBody(nodes: number, seed = 7): string {
  const random = seededRandom(seed);
  const word = (): string => WORDS[Math.floor(random() * WORDS.length)]!;
  const parts: string[] = [];
  let count = 0;
  let section = 0;
  while (count < nodes) {
    parts.push(`<section class="s${section % 5}"><h2>${word()} ${word()}</h2><ul>`);
    count += 4;
    for (let i = 0; i < 20 && count < nodes; i++) {
      parts.push(
        `<li class="i${i % 3}" data-k="${section}-${i}">${word()} ${word()} ${word()}</li>`,
      );
      count += 2;
    }
    parts.push('</ul></section>');
    section++;
  }
  return parts.join('');
}

export function pageHtml(body: string, head = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bench page</title>${head}</head><body>${body}</body></html>`;
}
