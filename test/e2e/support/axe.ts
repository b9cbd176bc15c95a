/**
 * An accessibility check with axe-core (npm `axe-core`), injected by the test into a real
 * Chromium page. The script is evaluated over the DevTools protocol, so the page's own
 * Content-Security-Policy stays as it is. Returns the serious and critical violations.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let source: Promise<string> | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

interface AxeGlobal {
  axe: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    }>;
  };
}

/**
 * Runs axe on `page`: `include`/`exclude` are CSS selectors (frames are not entered: the
 * mirrored customer page is not the console's own content).
 */
export async function seriousViolations(
  page: Page,
  { include, exclude = [] }: { include?: string[]; exclude?: string[] } = {},
): Promise<AxeViolation[]> {
  source ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(await source);
  const violations = await page.evaluate(
    async ({ include, exclude }) => {
      const { axe } = globalThis as unknown as AxeGlobal;
      const context = {
        ...(include && { include: include.map((s) => [s]) }),
        exclude: exclude.map((s) => [s]),
      };
      const result = await axe.run(context, {
        iframes: false,
        resultTypes: ['violations'],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => JSON.stringify(n.target)),
      }));
    },
    { include, exclude },
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
