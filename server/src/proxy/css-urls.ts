/**
 * Finds the URLs in CSS text (`url(...)` in any quoting, `@import "..."`) and replaces each with
 * what a mapper returns. Used for `<style>` elements, inline `style` attributes and stylesheets
 * fetched through the proxy. Anything this misses is still stopped by the agent frame's CSP,
 * which allows loads only from the Tandem server.
 */

const CSS_URL =
  /\burl\(\s*(?:"((?:[^"\\\n]|\\[\s\S])*)"|'((?:[^'\\\n]|\\[\s\S])*)'|((?:[^'"()\s\\]|\\(?:[0-9a-fA-F]{1,6}\s?|[\s\S]))*))\s*\)/gi;
const CSS_IMPORT = /@import\s+(?:"((?:[^"\\\n]|\\[\s\S])*)"|'((?:[^'\\\n]|\\[\s\S])*)')/gi;

/** Decodes CSS escapes (`\"`, `\\`, `\68 `) in a URL token or string. */
export function unescapeCss(text: string): string {
  return text.replace(
    /\\(?:([0-9a-fA-F]{1,6})\s?|([\s\S]))/g,
    (_m, hex?: string, char?: string) => {
      if (hex !== undefined) {
        const code = parseInt(hex, 16);
        return code === 0 || code > 0x10ffff ? '\ufffd' : String.fromCodePoint(code);
      }
      return char === '\n' ? '' : (char ?? '');
    },
  );
}

/** Quotes a URL as a CSS string. */
export function quoteCssUrl(url: string): string {
  return `"${url.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\a ')}"`;
}

/**
 * Replaces every URL in `css` with `map(url)` (the URL as written, unescaped). The mapper returns
 * the replacement, which is quoted here.
 */
export function rewriteCssUrls(css: string, map: (url: string) => string): string {
  return css
    .replace(CSS_URL, (_match, dq?: string, sq?: string, bare?: string) => {
      const raw = unescapeCss((dq ?? sq ?? bare ?? '').trim());
      return `url(${quoteCssUrl(map(raw))})`;
    })
    .replace(CSS_IMPORT, (_match, dq?: string, sq?: string) => {
      const raw = unescapeCss((dq ?? sq ?? '').trim());
      return `@import ${quoteCssUrl(map(raw))}`;
    });
}
