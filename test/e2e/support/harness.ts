/**
 * The test harness (server/web/testing/harness.ts: the snippet's recorder and the console's
 * mirror on one page), bundled for Chromium, and the check the round-trip tests share.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { pollUntil } from './browser.ts';

const web = fileURLToPath(new URL('../../../server/web/', import.meta.url));

/** What the harness puts on `window`. */
export interface HarnessGlobal {
  tandemHarness: {
    record(sliceMs?: number): Promise<void>;
    flush(): void;
    take(): string;
    apply(json: string): void;
    normalizeSource(): string;
    normalizeMirror(): string;
    mirrorFacts(): { scripts: number; handlers: number; nodes: number; canvasImage: boolean };
    mirrorScroll(elementId: string): { doc: number; el: number };
  };
}

/** The harness as one browser script. */
export async function bundleHarness(): Promise<string> {
  const result = await build({
    entryPoints: [`${web}testing/harness.ts`],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'warning',
  });
  const js = result.outputFiles[0]?.text;
  assert.ok(js, 'esbuild produced no harness');
  return js;
}

/**
 * Waits until the mirror page's rebuilt document normalizes to the same tree as the source page
 * (frames load asynchronously); fails with the difference. Returns the mirror's normal form.
 */
export async function expectMirrorEqualsSource(
  source: Page,
  mirror: Page,
  what: string,
): Promise<string> {
  let expected = '';
  let actual = '';
  try {
    await pollUntil(
      what,
      async () => {
        expected = await source.evaluate(() =>
          (globalThis as unknown as HarnessGlobal).tandemHarness.normalizeSource(),
        );
        actual = await mirror.evaluate(() =>
          (globalThis as unknown as HarnessGlobal).tandemHarness.normalizeMirror(),
        );
        return expected === actual ? true : undefined;
      },
      5000,
    );
  } catch {
    assert.deepEqual(JSON.parse(actual), JSON.parse(expected), what);
  }
  return actual;
}
