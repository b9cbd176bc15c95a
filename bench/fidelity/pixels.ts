/**
 * Pixel comparison of two screenshots, decoded by the browser (no image library needed): the
 * share of pixels that are exactly equal, and the same share counted over the pixels of the
 * customer's screenshot that are not its background (its most common colour), which is what
 * tells a page that came out unstyled from one that is merely mostly empty.
 */
import type { Page } from 'playwright-core';

export interface PixelShare {
  /** Equal pixels / all pixels (of the larger image; a size mismatch counts as unequal). */
  equal: number;
  /** Equal pixels / pixels that are not the customer's background colour. */
  equalContent: number;
  width: number;
  height: number;
}

/** Compares `expected` (the customer) with `actual` (a mirror), both PNG. */
/**
 * Runs in the page. Plain JavaScript in a string: the TypeScript loader would wrap named
 * functions in a helper that does not exist in the page.
 */
const COMPARE = `async ([a, b]) => {
  async function decode(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    return g.getImageData(0, 0, bitmap.width, bitmap.height);
  }
  const [want, got] = await Promise.all([decode(a), decode(b)]);
  const width = Math.max(want.width, got.width);
  const height = Math.max(want.height, got.height);
  const w = new Uint32Array(want.data.buffer);
  const g = new Uint32Array(got.data.buffer);
  const counts = new Map();
  for (const px of w) counts.set(px, (counts.get(px) ?? 0) + 1);
  let background = 0;
  let most = -1;
  for (const [px, n] of counts) if (n > most) { background = px; most = n; }
  let equal = 0, content = 0, equalContent = 0;
  for (let y = 0; y < want.height; y++) {
    for (let x = 0; x < want.width; x++) {
      const px = w[y * want.width + x];
      const same = x < got.width && y < got.height && g[y * got.width + x] === px;
      if (same) equal += 1;
      if (px !== background) { content += 1; if (same) equalContent += 1; }
    }
  }
  return {
    equal: equal / (width * height),
    equalContent: content === 0 ? 1 : equalContent / content,
    width: got.width,
    height: got.height,
  };
}`;

/** Compares `expected` (the customer) with `actual` (a mirror), both PNG. */
export async function comparePngs(
  page: Page,
  expected: Buffer,
  actual: Buffer,
): Promise<PixelShare> {
  const share = await page.evaluate(
    ([source, a, b]) => (0, eval)(source)([a, b]) as Promise<PixelShare>,
    [COMPARE, expected.toString('base64'), actual.toString('base64')] as const,
  );
  return share;
}
