/**
 * What one resource URL becomes in the page the agent loads: an http(s) URL becomes a signed
 * proxy path bound to the session; an inline image or font (`data:`) stays; anything else becomes
 * `about:invalid`, which loads nothing.
 */
import type { ResourceSigner } from './signing.ts';

export const NOTHING = 'about:invalid';

const INLINE_RESOURCE = /^data:(image\/|font\/|application\/(x-)?font)/i;

/**
 * Maps `raw` (absolute, or relative to `base`) for `sessionId`. Fragment-only references
 * (`#icon`) point into the same document and stay as they are.
 */
export function proxiedUrl(
  signer: ResourceSigner,
  sessionId: string,
  raw: string,
  base: string | null,
): string {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return trimmed;
  let url: URL;
  try {
    url = base === null ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return NOTHING;
  }
  if (url.protocol === 'data:') return INLINE_RESOURCE.test(trimmed) ? trimmed : NOTHING;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return NOTHING;
  // The fragment never reaches a server; it stays on the proxied URL (`sprite.svg#icon`).
  const hash = url.hash;
  url.hash = '';
  return signer.sign(sessionId, url.href) + hash;
}

/** Splits a `srcset` into URL and descriptor pairs (the HTML parsing algorithm, simplified). */
export function parseSrcset(srcset: string): Array<{ url: string; descriptor: string }> {
  const out: Array<{ url: string; descriptor: string }> = [];
  let i = 0;
  while (i < srcset.length) {
    while (i < srcset.length && /[\s,]/.test(srcset[i]!)) i++;
    let end = i;
    while (end < srcset.length && !/\s/.test(srcset[end]!)) end++;
    let url = srcset.slice(i, end);
    i = end;
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const comma = srcset.indexOf(',', i);
      const stop = comma < 0 ? srcset.length : comma;
      descriptor = srcset.slice(i, stop).trim();
      i = stop + 1;
    }
    if (url !== '') out.push({ url, descriptor });
  }
  return out;
}

/** Maps each candidate of a `srcset`, keeping its width or density descriptor. */
export function proxiedSrcset(
  signer: ResourceSigner,
  sessionId: string,
  srcset: string,
  base: string | null,
): string {
  return parseSrcset(srcset)
    .map(({ url, descriptor }) =>
      [proxiedUrl(signer, sessionId, url, base), descriptor].filter(Boolean).join(' '),
    )
    .join(', ');
}
