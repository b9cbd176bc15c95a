/**
 * URL handling for serialized attributes and CSS. The agent renders the page from another origin,
 * so every resource URL must be absolute; fragment-only references (`#icon` in SVG `<use>`) stay
 * relative because they point into the same document.
 */

/** Attributes whose value is one URL. */
const URL_ATTRIBUTES = new Set([
  'src',
  'href',
  'xlink:href',
  'poster',
  'action',
  'formaction',
  'background',
  'cite',
  'longdesc',
  'data',
]);

export function isUrlAttribute(name: string): boolean {
  return URL_ATTRIBUTES.has(name);
}

/** Resolves `value` against `base`; leaves fragment-only and unparsable values as they are. */
export function absoluteUrl(value: string, base: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return trimmed;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return value;
  }
}

/** Whether a URL would run script when followed. */
export function isScriptUrl(value: string): boolean {
  // Browsers ignore ASCII whitespace and control characters inside the scheme.
  const compact = value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
  return compact.startsWith('javascript:') || compact.startsWith('vbscript:');
}

/** Resolves each candidate of a `srcset`, keeping its descriptor. */
export function absoluteSrcset(value: string, base: string): string {
  return value
    .split(',')
    .map((candidate) => {
      const [url, ...descriptors] = candidate.trim().split(/\s+/);
      if (!url) return '';
      return [absoluteUrl(url, base), ...descriptors].join(' ');
    })
    .filter((candidate) => candidate !== '')
    .join(', ');
}

const CSS_URL = /url\(\s*(['"]?)([^'")]*)\1\s*\)/gi;
const CSS_IMPORT = /@import\s+(['"])([^'"]+)\1/gi;

/** Resolves `url(...)` and `@import "..."` references in CSS text. */
export function absoluteCssUrls(css: string, base: string): string {
  return css
    .replace(CSS_URL, (match, quote: string, url: string) => {
      if (url.startsWith('data:') || url.startsWith('#')) return match;
      return `url(${quote}${absoluteUrl(url, base)}${quote})`;
    })
    .replace(CSS_IMPORT, (_match, quote: string, url: string) => {
      return `@import ${quote}${absoluteUrl(url, base)}${quote}`;
    });
}
