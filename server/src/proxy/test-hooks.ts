/**
 * The only way to let the proxy reach loopback addresses: environment variables that the test
 * harness sets on the node it starts. They are not config options (the schema refuses any such
 * key), and they can only ever widen the policy to addresses in 127.0.0.0/8:
 *
 * - `TANDEM_TEST_ALLOW_LOOPBACK_ORIGINS=127.0.0.2,127.0.0.3`: these loopback addresses count as
 *   public (stand-ins for a customer's site and a CDN). Anything outside 127.0.0.0/8 is ignored.
 * - `TANDEM_TEST_RESOLVER=shop.test=127.0.0.2,multi.test=127.0.0.2+10.0.0.1,flip.test=127.0.0.2/127.0.0.1`:
 *   fixed answers for test names (`+` joins addresses of one answer; `/` separates the answers
 *   of successive lookups, the last one repeating). Other names use the system resolver.
 */
import type { Resolver } from './resolver.ts';
import { parseIPv4 } from './address-policy.ts';

export interface ProxyTestHooks {
  allowedTestAddresses: ReadonlySet<string>;
  /** Wraps the real resolver with the fixed answers; identity when there are none. */
  wrapResolver(base: Resolver): Resolver;
}

export const ALLOW_LOOPBACK_ENV = 'TANDEM_TEST_ALLOW_LOOPBACK_ORIGINS';
export const RESOLVER_ENV = 'TANDEM_TEST_RESOLVER';

function isLoopbackV4(address: string): boolean {
  return parseIPv4(address)?.[0] === 127;
}

/** Reads the hooks; null when neither variable is set (always so in production). */
export function readProxyTestHooks(env: NodeJS.ProcessEnv): ProxyTestHooks | null {
  const allow = env[ALLOW_LOOPBACK_ENV];
  const resolve = env[RESOLVER_ENV];
  if (!allow && !resolve) return null;
  const allowed = new Set(
    (allow ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(isLoopbackV4),
  );
  const answers = new Map<string, string[][]>();
  for (const entry of (resolve ?? '').split(',')) {
    const [name, spec] = entry.split('=');
    if (!name || !spec) continue;
    answers.set(
      name.trim().toLowerCase(),
      spec.split('/').map((answer) => answer.split('+').map((a) => a.trim())),
    );
  }
  const served = new Map<string, number>();
  return {
    allowedTestAddresses: allowed,
    wrapResolver(base) {
      if (answers.size === 0) return base;
      return async (host) => {
        const name = host.toLowerCase();
        const sequence = answers.get(name);
        if (!sequence) return base(host);
        const count = served.get(name) ?? 0;
        served.set(name, count + 1);
        return sequence[Math.min(count, sequence.length - 1)] ?? [];
      };
    },
  };
}
