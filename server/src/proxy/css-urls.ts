/**
 * The one CSS rewriter on the server. Every piece of raw CSS (a `<style>` sheet, a `style`
 * attribute, an SVG presentation attribute, CSSOM rules, a stylesheet fetched through the proxy)
 * goes through {@link rewriteCss}: it reads the text with a browser's tokenizer (css-tokens.ts),
 * hands every URL a browser could fetch to a mapper, and writes back what the mapper returns:
 *
 * - `url(...)` in either form (`url(x)`, `url("x")`, `u\72l(x)`) and `src("x")`;
 * - the string of `@import "x"` (`@import url(x)` is a `url()`);
 * - strings inside `image-set()`, `-webkit-image-set()` and `image()`, which are URLs there (and,
 *   to be safe, inside any other function whose name holds `image`);
 * - `src:` of `@font-face` (its URLs are `url()`s; `local()` names fetch nothing).
 *
 * A URL the mapper refuses (null) is removed: `url()` becomes `none`, an `@import` rule goes. Legacy
 * script bindings (`expression()`, `behavior`, `-moz-binding`, `-o-link`) are renamed to inert
 * `--tandem-removed`. What cannot be parsed (an unterminated string, comment or URL, a `url(`
 * function with more than one string) makes the whole text null: the caller drops it.
 */
import { preprocessCss, tokenizeCss, type CssToken } from './css-tokens.ts';

/** Where a URL sat: `import` loads CSS, `image` an image in `image-set()`, `url` anything. */
export type CssUrlKind = 'url' | 'import' | 'image';

/** Returns the URL to write instead of `url` (unescaped, as the browser reads it), or null to remove it. */
export type CssUrlMapper = (url: string, kind: CssUrlKind) => string | null;

/** Strings inside `image-set()`, `-webkit-image-set()`, `image()` (and any other `*image*()`) are URLs. */
const IMAGE_FUNCTION = /image/;
const URL_FUNCTIONS = new Set(['url', 'src']);
const BINDING_PROPERTIES = new Set([
  '-moz-binding',
  'behavior',
  'behaviour',
  '-o-link',
  '-o-link-source',
]);
const REMOVED = '--tandem-removed';
/** What a removed URL becomes; the space keeps it from joining what follows (`url(x)1x`). */
const NONE = 'none ';

/** Quotes a URL as a CSS string a browser reads back as exactly `url`. */
export function quoteCssUrl(url: string): string {
  return `"${url.replace(/[\\"]/g, '\\$&').replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\${c.charCodeAt(0).toString(16)} `,
  )}"`;
}

const isBlank = (token: CssToken | undefined): boolean =>
  token !== undefined && (token.type === 'ws' || token.type === 'comment');

/**
 * `css` with every URL mapped, or null when it cannot be parsed. Comments and everything the
 * mapper does not touch are copied as written (after the browser's preprocessing).
 */
export function rewriteCss(css: string, map: CssUrlMapper): string | null {
  const text = preprocessCss(css);
  const tokens = tokenizeCss(text);
  if (tokens.some((token) => token.bad)) return null;
  const next = (k: number): number => {
    while (isBlank(tokens[k])) k += 1;
    return k;
  };
  /** Open blocks and functions: a function's lower-case name, or the bracket. */
  const stack: string[] = [];
  let out = '';
  for (let k = 0; k < tokens.length; k += 1) {
    const token = tokens[k]!;
    const source = text.slice(token.start, token.end);
    const lower = token.value.toLowerCase();
    switch (token.type) {
      case 'url': {
        const url = token.value.trim();
        const mapped = map(url, 'url');
        // A URL the mapper keeps as it is stays as written: most CSS passes unchanged.
        out += mapped === url ? source : mapped === null ? NONE : `url(${quoteCssUrl(mapped)})`;
        break;
      }
      case 'function': {
        if (URL_FUNCTIONS.has(lower)) {
          // `url("x")`: exactly one string, then `)`; anything else is not CSS a browser loads.
          const arg = tokens[next(k + 1)];
          const close = tokens[next(next(k + 1) + 1)];
          if (arg?.type !== 'string' || close?.type !== 'close' || close.value !== ')') return null;
          const url = arg.value.trim();
          const mapped = map(url, 'url');
          const end = next(next(k + 1) + 1);
          out +=
            mapped === url
              ? text.slice(token.start, tokens[end]!.end)
              : mapped === null
                ? NONE
                : `url(${quoteCssUrl(mapped)})`;
          k = end;
          break;
        }
        stack.push(lower);
        out += lower === 'expression' ? `${REMOVED}(` : source;
        break;
      }
      case 'string': {
        if (IMAGE_FUNCTION.test(stack[stack.length - 1] ?? '')) {
          const mapped = map(token.value.trim(), 'image');
          out += mapped === null ? NONE : quoteCssUrl(mapped);
        } else {
          out += source;
        }
        break;
      }
      case 'at': {
        const arg = tokens[next(k + 1)];
        if (lower !== 'import' || arg?.type !== 'string') {
          out += source;
          break;
        }
        const mapped = map(arg.value.trim(), 'import');
        if (mapped === null) {
          // The whole rule goes: up to and including its `;` (an @import has no block).
          while (k < tokens.length && tokens[k]!.type !== ';') k += 1;
          break;
        }
        out += `@import ${quoteCssUrl(mapped)}`;
        k = next(k + 1);
        break;
      }
      case 'ident': {
        const following = tokens[next(k + 1)];
        out += BINDING_PROPERTIES.has(lower) && following?.type === ':' ? REMOVED : source;
        break;
      }
      case 'open':
        stack.push(token.value);
        out += source;
        break;
      case 'close':
        stack.pop();
        out += source;
        break;
      default:
        out += source;
    }
  }
  return out;
}
