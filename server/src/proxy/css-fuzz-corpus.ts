/**
 * A generator of hostile CSS for fuzzing the CSS rewriter (css-urls-fuzz.test.ts here, and in
 * real Chromium in test/e2e/css-rewriter.test.ts). Deterministic for a seed. Pieces are the
 * tricks the public references use to smuggle a URL past a filter: comments, escapes (short,
 * six-digit, out of range, surrogates), newline escapes, unterminated strings and URLs, nested
 * functions and the `\` tricks of the OWASP XSS Filter Evasion Cheat Sheet
 * (https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html), the
 * HTML5 Security Cheatsheet's CSS entries (https://html5sec.org/) and CSS Syntax Level 3's
 * tokenizer edge cases (https://www.w3.org/TR/css-syntax-3/#tokenization).
 */

/** URLs as an attacker writes them. */
const URLS = [
  'http://evil.test/a.png',
  'HTTP://evil.test/b',
  '//evil.test/c',
  'ht\\74p://evil.test/d',
  'http\\3a //evil.test/e',
  'http\\00003a//evil.test/f',
  'javascript:alert(1)',
  'java\\73 cript:alert(1)',
  'data:text/css,a{b:c}',
  'evil.css',
  '\\68\\74\\74\\70://evil.test/g',
  'http://evil.test/\\)h',
  'http://evil.test/i\\ j',
];

/** Constructs that load a URL; `U` is replaced by one of {@link URLS}. */
const LOADERS = [
  'url(U)',
  'url("U")',
  "url('U')",
  'url( U )',
  'URL(U)',
  'u\\72l(U)',
  '\\75 rl(U)',
  'u\\rl("U")',
  '@import "U";',
  "@import'U';",
  '@import/**/"U";',
  '@im\\port "U";',
  '@\\69mport "U";',
  '@import url(U);',
  'image-set("U" 1x)',
  "-webkit-image-set('U' 2x)",
  'image-set(url(U) 1x, "U" 2x)',
  'im\\61ge-set("U" 1x)',
  'src("U")',
  '@font-face{src:url(U) format("woff"),local(x)}',
  'cross-fade(url(U),image-set("U" 1x))',
  'a{background:url(U)}',
  'a{--x:url(U)}',
  'a{cursor:url(U),auto}',
];

/** Noise between and inside the loaders. */
const NOISE = [
  ' ',
  '\n',
  '\r\n',
  '\f',
  '\t',
  '\0',
  '/* c */',
  '/*',
  '*/',
  '\\',
  '\\\n',
  '\\\\',
  '"',
  "'",
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ';',
  ':',
  ',',
  '<!--',
  '-->',
  '@media x{',
  'a{b:',
  '--x:',
  '\\29',
  '\\22',
  '\\27 ',
  '\\28 ',
  'url(',
  '@import',
  'image-set(',
  ' 1x',
  'é',
  '\u2028',
  '\ufeff',
  '\\1F600 ',
  '\\110000',
  '\\d800',
  '\\0',
  'expression(',
  'behavior:',
  '-moz-binding:',
  '1e3px',
  '#id',
  '.5%',
];

/** A small, fast, seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` hostile CSS texts for `seed`, each holding at least one loader. */
export function hostileCss(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const out: string[] = [];
  for (let n = 0; n < count; n += 1) {
    let css = '';
    const parts = 1 + Math.floor(random() * 8);
    for (let p = 0; p < parts; p += 1) {
      if (random() < 0.55) css += pick(LOADERS).replaceAll('U', pick(URLS));
      else css += pick(NOISE);
    }
    out.push(css);
  }
  return out;
}
