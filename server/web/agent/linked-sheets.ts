/**
 * A `<link>`ed sheet's rules, rewritten in place through the CSSOM once it has loaded (the console
 * never holds its text): each style rule's selector gets the marker attributes of mirror-css.ts,
 * in nested and imported rules too. Kept apart from mirror-css.ts, which is pure text.
 */
import { rewriteStateSelectors } from './mirror-css.ts';

/** Rewrites the selectors of a loaded sheet; one that cannot be read is left as it is. */
export function rewriteSheetSelectors(sheet: CSSStyleSheet, depth = 0): void {
  if (depth > 8) return;
  let rules: CSSRuleList;
  try {
    rules = sheet.cssRules;
  } catch {
    return; // Not readable (it did not come through the proxy): left as it is.
  }
  rewriteRules(rules, depth);
}

function rewriteRules(rules: CSSRuleList, depth: number): void {
  for (const rule of Array.from(rules)) {
    const style = rule as CSSStyleRule;
    if (typeof style.selectorText === 'string') {
      const rewritten = rewriteStateSelectors(style.selectorText);
      if (rewritten !== style.selectorText) style.selectorText = rewritten;
    }
    const imported = (rule as CSSImportRule).styleSheet;
    if (imported) rewriteSheetSelectors(imported, depth + 1);
    const nested = (rule as CSSGroupingRule).cssRules;
    if (nested) rewriteRules(nested, depth + 1);
  }
}
