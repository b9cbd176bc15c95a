/**
 * `session.pausePages`: URL patterns of pages on which co-browsing pauses. Shared by the snippet
 * (which sends nothing on such a page) and the server (which refuses any page data from one).
 *
 * A pattern starting with `/` is matched against the path; any other against the whole URL
 * without its query and fragment (`https://shop.example.com/pay/*`). `*` matches any run of
 * characters, including `/`; everything else matches itself. A pattern matches the whole path or
 * URL, so `/account` does not match `/account/orders` (write `/account*` for both).
 */

/** Longest pattern accepted by the config schema. */
export const MAX_PAUSE_PATTERN_LENGTH = 512;

function toRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'i');
}

/** True when `url` (absolute) matches one of `patterns`. Malformed URLs match nothing. */
export function matchesPausePage(url: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const path = parsed.pathname;
  const full = `${parsed.origin}${path}`;
  return patterns.some((pattern) => toRegExp(pattern).test(pattern.startsWith('/') ? path : full));
}
