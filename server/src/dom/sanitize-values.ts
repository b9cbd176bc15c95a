/**
 * Value-level sanitizing: URLs and CSS. Pure functions; each returns the safe value or null when
 * nothing safe is left. The checks look at the value the way a browser would read it (tabs,
 * newlines and control characters ignored in schemes; CSS escapes and comments resolved), so
 * that obfuscated `jav&#x09;ascript:` or `\6a avascript:` forms are caught.
 */
import { rewriteCss, type CssUrlKind } from '../proxy/css-urls.ts';
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

/** Whether a URL found in CSS may stay: http(s), relative, a fragment, or an inert `data:` image or font. */
function isInertCssUrl(url: string, kind: CssUrlKind): boolean {
  const compact = url.replace(URL_IGNORED, '').replace(URL_TRIMMED, '');
  const scheme = SCHEME.exec(compact)?.[1]?.toLowerCase();
  if (scheme === undefined) return !/[\\]/.test(compact);
  if (scheme === 'data') return kind !== 'import' && CSS_DATA.test(compact);
  return scheme === 'http' || scheme === 'https';
}

/**
 * CSS to keep for a `style` attribute, a `<style>` sheet or an SVG presentation attribute, or
 * null when it cannot be parsed. It goes through the server's one CSS rewriter (proxy/css-urls.ts):
 * URLs with a script or other non-inert scheme are removed (`url()` becomes `none`, an `@import`
 * goes), and legacy script bindings are renamed to inert custom properties. The rewrite step
 * then maps what is left to the proxy, through the same rewriter.
 */
export function sanitizeCss(css: string): string | null {
  return rewriteCss(css, (url, kind) => (isInertCssUrl(url, kind) ? url : null));
}
