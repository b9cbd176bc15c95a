/**
 * Value-level sanitizing: URLs and CSS. Pure functions; each returns the safe value or null when
 * nothing safe is left. The checks look at the value the way a browser would read it (tabs,
 * newlines and control characters ignored in schemes; CSS escapes and comments resolved), so
 * that obfuscated `jav&#x09;ascript:` or `\6a avascript:` forms are caught.
 */
import { CSS_DATA, DATA_IMAGE, URL_SCHEMES } from './sanitize-lists.ts';

export type UrlKind = 'link' | 'image';

// The URL parser drops tabs and newlines anywhere and trims C0 controls and spaces at the ends.
const URL_IGNORED = /[\t\n\r]/g;
// eslint-disable-next-line no-control-regex
const URL_TRIMMED = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * The URL to keep for a URL attribute, or null. `base` resolves relative URLs (the customer's
 * page), so that nothing is ever fetched relative to the agent console's origin; fragments stay.
 */
export function sanitizeUrl(value: string, kind: UrlKind, base: string | undefined): string | null {
  const url = value.replace(URL_IGNORED, '').replace(URL_TRIMMED, '');
  if (url === '') return null;
  if (url.startsWith('#')) return url;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'data') return kind === 'image' && DATA_IMAGE.test(url) ? url : null;
  if (scheme !== undefined) return URL_SCHEMES.has(scheme) ? url : null;
  // A backslash or a control character in a relative URL has no legitimate use.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f]/.test(url) || base === undefined) return null;
  try {
    const resolved = new URL(url, base);
    return URL_SCHEMES.has(resolved.protocol.slice(0, -1)) ? resolved.href : null;
  } catch {
    return null;
  }
}

/** A `srcset`: each candidate's URL is checked; null when none is left. */
export function sanitizeSrcset(value: string, base: string | undefined): string | null {
  const out: string[] = [];
  for (const candidate of value.split(/,(?=\s|$)|,(?=\S+\s+\d)/)) {
    const [url = '', ...descriptors] = candidate.trim().split(/\s+/);
    if (url === '') continue;
    const safe = sanitizeUrl(url, 'image', base);
    if (safe === null) continue;
    out.push([safe.replace(/\s|,/g, encodeURIComponent), ...descriptors].join(' '));
  }
  return out.length > 0 ? out.join(', ') : null;
}

/** CSS as a browser reads it for the checks: comments gone, escapes resolved, lower case. */
export function normalizeCss(css: string): string {
  return (
    css
      .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '')
      .replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex: string) => {
        const code = Number.parseInt(hex, 16);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      })
      .replace(/\\(?:\r\n|[\n\r\f])/g, '')
      .replace(/\\(.)/g, '$1')
      // eslint-disable-next-line no-control-regex
      .replace(/[\s\u0000-\u001f]+/g, '')
      .toLowerCase()
  );
}

/** Constructs that run script or bind behaviour in some browser, or load something non-inert. */
const CSS_DANGER =
  /expression\(|-moz-binding|behavior:|behaviour:|javascript:|vbscript:|livescript:|mocha:|-o-link|@import["']?(?!https?:)[a-z][a-z0-9+.-]*:|\burl\(["']?(?!https?:|data:|#|\/|\.)[a-z][a-z0-9+.-]*:/;

/** Whether every `url(...)` and `@import` in (normalized) CSS points somewhere inert. */
function hasOnlySafeUrls(normalized: string): boolean {
  for (const match of normalized.matchAll(/url\(["']?([^"')]*)/g)) {
    const url = match[1] ?? '';
    if (url.startsWith('data:') && !CSS_DATA.test(url)) return false;
  }
  for (const match of normalized.matchAll(/@import["']([^"']*)/g)) {
    if ((match[1] ?? '').startsWith('data:')) return false;
  }
  return true;
}

function isSafeCss(css: string): boolean {
  const normalized = normalizeCss(css);
  return !CSS_DANGER.test(normalized) && hasOnlySafeUrls(normalized);
}

const URL_TOKEN = /url\(\s*(["']?)([^"')]*)\1\s*\)/gi;

/**
 * CSS to keep for a `style` attribute or a `<style>` sheet, or null. Unsafe `url()`s and
 * behaviour bindings are neutralized in place; if anything unsafe is left (an escaped form the
 * rewrite cannot see), the whole text is refused.
 */
export function sanitizeCss(css: string): string | null {
  if (isSafeCss(css)) return css;
  const repaired = css
    .replace(URL_TOKEN, (token, _quote: string, url: string) => {
      const scheme = SCHEME.exec(url.trim())?.[1]?.toLowerCase();
      if (scheme === undefined || scheme === 'http' || scheme === 'https') return token;
      return scheme === 'data' && CSS_DATA.test(url.trim()) ? token : 'url()';
    })
    .replace(/expression\s*\(/gi, 'invalid(')
    .replace(/-moz-binding|behaviou?r\s*:|-o-link/gi, '--tandem-removed');
  return isSafeCss(repaired) ? repaired : null;
}
