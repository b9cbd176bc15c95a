/**
 * Fuzzes the CSS rewriter with generated hostile CSS (css-fuzz-corpus.ts). What it writes must
 * read back, with the same tokenizer, as CSS whose every URL is the mapper's, which parses
 * cleanly and which a second pass leaves unchanged. Real Chromium reads the same corpus in
 * test/e2e/css-rewriter.test.ts, which checks the tokenizer itself against a browser.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostileCss } from './css-fuzz-corpus.ts';
import { preprocessCss, tokenizeCss } from './css-tokens.ts';
import { rewriteCss } from './css-urls.ts';

const SAFE = '/proxy/r/s/ok';

/** Every URL a browser could load from `css`, read with the tokenizer. */
function loadedUrls(css: string): string[] {
  const tokens = tokenizeCss(preprocessCss(css)).filter(
    (t) => t.type !== 'ws' && t.type !== 'comment',
  );
  const urls: string[] = [];
  const functions: string[] = [];
  tokens.forEach((token, k) => {
    const lower = token.value.toLowerCase();
    if (token.type === 'url') urls.push(token.value);
    if (token.type === 'function') {
      functions.push(lower);
      if ((lower === 'url' || lower === 'src') && tokens[k + 1]?.type === 'string') {
        urls.push(tokens[k + 1]!.value);
      }
    }
    if (token.type === 'open') functions.push(token.value);
    if (token.type === 'close') functions.pop();
    if (token.type === 'at' && lower === 'import' && tokens[k + 1]?.type === 'string') {
      urls.push(tokens[k + 1]!.value);
    }
    if (token.type === 'string' && /image/.test(functions[functions.length - 1] ?? '')) {
      urls.push(token.value);
    }
  });
  return urls;
}

/** Legacy script bindings a browser would read in `css`: `expression(`, `behavior:`... */
function bindings(css: string): string[] {
  const tokens = tokenizeCss(preprocessCss(css)).filter(
    (t) => t.type !== 'ws' && t.type !== 'comment',
  );
  return tokens.flatMap((token, k) => {
    const lower = token.value.toLowerCase();
    if (token.type === 'function' && lower === 'expression') return [lower];
    const binding = ['-moz-binding', 'behavior', 'behaviour', '-o-link', '-o-link-source'];
    return token.type === 'ident' && binding.includes(lower) && tokens[k + 1]?.type === ':'
      ? [lower]
      : [];
  });
}

describe('rewriteCss under fuzzing', () => {
  const corpus = hostileCss(0x7a9d3, 4000);

  it('leaves no URL but the mapper’s, parses cleanly, and is stable', () => {
    let rewritten = 0;
    let dropped = 0;
    for (const css of corpus) {
      const out = rewriteCss(css, () => SAFE);
      if (out === null) {
        dropped += 1;
        continue;
      }
      rewritten += 1;
      const tokens = tokenizeCss(preprocessCss(out));
      assert.ok(!tokens.some((t) => t.bad), `clean output for ${JSON.stringify(css)}`);
      for (const url of loadedUrls(out)) {
        assert.equal(
          url,
          SAFE,
          `only the mapper's URL in ${JSON.stringify(out)} (from ${JSON.stringify(css)})`,
        );
      }
      assert.equal(
        rewriteCss(out, () => SAFE),
        out,
        `a second pass changes nothing: ${JSON.stringify(css)}`,
      );
      assert.deepEqual(bindings(out), [], `no script binding left in ${JSON.stringify(out)}`);
    }
    console.log(`  ${rewritten} rewritten, ${dropped} dropped as unparseable`);
    // The corpus must exercise both outcomes, or it tests nothing.
    assert.ok(rewritten > 1000 && dropped > 300, `${rewritten} rewritten, ${dropped} dropped`);
  });

  it('removes every URL a refusing mapper is shown', () => {
    for (const css of corpus) {
      const out = rewriteCss(css, () => null);
      if (out !== null) assert.deepEqual(loadedUrls(out), [], JSON.stringify(css));
    }
  });
});
