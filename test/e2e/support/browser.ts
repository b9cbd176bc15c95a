/** Launches Debian's Chromium for the e2e tests, with flags that keep it quiet and offline. */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `extraArgs`: more command-line switches, such as `--host-resolver-rules`. `backForwardCache`
 * keeps the back/forward cache on (Playwright turns it off by default), as every user has it.
 */
export function launchChromium(
  extraArgs: readonly string[] = [],
  { backForwardCache = false }: { backForwardCache?: boolean } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    ...(backForwardCache && { ignoreDefaultArgs: ['--disable-back-forward-cache'] }),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`.
 * Returns the value and how long it took, so tests can log latencies.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 3000,
  intervalMs = 25,
): Promise<{ value: T; elapsedMs: number }> {
  const started = performance.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return { value, elapsedMs: Math.round(performance.now() - started) };
    } catch (error) {
      lastError = error;
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
