/**
 * The CSP violations a node was told about (its `/csp-report` logs one `csp violation` line each),
 * and the check that a console broke none of its own rules: a deliberate violation (a sentinel
 * image from a closed port) is raised last, and once its report is in, no other report may be.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../support/server.ts';
import { pollUntil } from './browser.ts';

export interface ReportedViolation {
  directive: string;
  page: string;
  blocked: string;
  source: string;
}

/** The origin the sentinel image is "loaded" from: never listened on, always refused by CSP. */
export const SENTINEL_ORIGIN = 'http://127.0.0.1:9';

export function cspViolations(node: RunningServer): ReportedViolation[] {
  return node.logs
    .filter((line) => line.msg === 'csp violation')
    .map((line) => ({
      directive: String(line.directive),
      page: String(line.page),
      blocked: String(line.blocked),
      source: String(line.source),
    }));
}

let sentinels = 0;

/** Raises a sentinel violation in the console and waits until the node has its report. */
export async function flushReports(node: RunningServer, page: Page): Promise<void> {
  const before = cspViolations(node).filter((v) => v.blocked === SENTINEL_ORIGIN).length;
  sentinels += 1;
  await page.evaluate(`new Image().src = '${SENTINEL_ORIGIN}/sentinel-${sentinels}.png'`);
  await pollUntil(
    'the sentinel violation report',
    async () =>
      cspViolations(node).filter((v) => v.blocked === SENTINEL_ORIGIN).length > before
        ? true
        : undefined,
    10_000,
  );
}

/** Fails on any violation the console or its frames reported (the sentinel's aside). */
export async function expectNoViolations(
  node: RunningServer,
  page: Page,
  what: string,
): Promise<void> {
  await flushReports(node, page);
  assert.deepEqual(
    cspViolations(node).filter((v) => v.blocked !== SENTINEL_ORIGIN),
    [],
    `${what}: neither the console nor its frames reported a CSP violation`,
  );
}
