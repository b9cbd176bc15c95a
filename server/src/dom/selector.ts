/**
 * A small CSS selector engine for the server's copy of a page. The snippet evaluates the same
 * selectors with the browser's own `Element.matches`, so the server supports a subset whose
 * meaning is unambiguous and which it can evaluate over the serialized tree alone:
 *
 * - selector lists: `a, b`
 * - compound selectors: `tag`, `*`, `#id`, `.class`, `[attr]`, `[attr=v]`, `[attr~=v]`,
 *   `[attr|=v]`, `[attr^=v]`, `[attr$=v]`, `[attr*=v]`, each attribute test optionally with ` i`
 * - combinators: descendant (` `) and child (`>`)
 *
 * Pseudo-classes, sibling combinators and namespaces are refused when the config is validated,
 * so an unsupported selector never silently matches nothing. Tag and attribute names compare
 * case-insensitively (as in HTML); values are case-sensitive unless the test has the `i` flag.
 */

/** What the engine needs to know of an element. */
export interface SelectorTarget {
  /** Lower-case tag name. */
  readonly tag: string;
  attribute(name: string): string | undefined;
  /** The parent element within the same tree (null at a document, shadow or frame boundary). */
  selectorParent(): SelectorTarget | null;
}

type AttrOp = '=' | '~=' | '|=' | '^=' | '$=' | '*=';

interface AttrTest {
  name: string;
  op: AttrOp | null;
  value: string;
  insensitive: boolean;
}

interface Compound {
  tag: string | null;
  ids: string[];
  classes: string[];
  attrs: AttrTest[];
}

/** A complex selector, right to left: `parts[0]` is the subject; `combinators[i]` joins i and i+1. */
interface Complex {
  parts: Compound[];
  combinators: Array<' ' | '>'>;
}

export type SelectorList = readonly Complex[];

export type ParsedSelector = { ok: true; selector: SelectorList } | { ok: false; message: string };

const IDENT = /^-?(?:[_a-zA-Z\u00a0-\uffff]|\\.)(?:[-\w\u00a0-\uffff]|\\.)*/;
const MAX_SELECTOR_LENGTH = 1000;
const MAX_COMPOUNDS = 6;

class Unsupported extends Error {}

function unescape(ident: string): string {
  return ident.replace(/\\(.)/g, '$1');
}

/** Parses `source`, refusing anything outside the supported subset with a reason. */
export function parseSelector(source: string): ParsedSelector {
  if (source.length > MAX_SELECTOR_LENGTH) {
    return { ok: false, message: `longer than ${MAX_SELECTOR_LENGTH} characters` };
  }
  let pos = 0;
  const rest = (): string => source.slice(pos);
  const skipSpace = (): boolean => {
    const start = pos;
    while (pos < source.length && /\s/.test(source[pos] ?? '')) pos += 1;
    return pos > start;
  };
  const ident = (what: string): string => {
    const match = IDENT.exec(rest());
    if (!match) throw new Unsupported(`expected ${what} at ${pos}`);
    pos += match[0].length;
    return unescape(match[0]);
  };
  const quoted = (): string => {
    const quote = source[pos];
    if (quote !== '"' && quote !== "'") return ident('a value');
    let out = '';
    pos += 1;
    while (pos < source.length && source[pos] !== quote) {
      if (source[pos] === '\\') pos += 1;
      out += source[pos] ?? '';
      pos += 1;
    }
    if (source[pos] !== quote) throw new Unsupported('unterminated string');
    pos += 1;
    return out;
  };
  const attribute = (): AttrTest => {
    pos += 1; // [
    skipSpace();
    const name = ident('an attribute name').toLowerCase();
    skipSpace();
    if (source[pos] === ']') {
      pos += 1;
      return { name, op: null, value: '', insensitive: false };
    }
    const op = /^(=|~=|\|=|\^=|\$=|\*=)/.exec(rest())?.[0] as AttrOp | undefined;
    if (!op) throw new Unsupported(`unsupported attribute operator at ${pos}`);
    pos += op.length;
    skipSpace();
    const value = quoted();
    skipSpace();
    let insensitive = false;
    if (/^[iI]\b/.test(rest())) {
      insensitive = true;
      pos += 1;
      skipSpace();
    } else if (/^[sS]\b/.test(rest())) {
      pos += 1;
      skipSpace();
    }
    if (source[pos] !== ']') throw new Unsupported(`expected ] at ${pos}`);
    pos += 1;
    return { name, op, value, insensitive };
  };
  const compound = (): Compound => {
    const c: Compound = { tag: null, ids: [], classes: [], attrs: [] };
    if (source[pos] === '*') {
      pos += 1;
      c.tag = '*';
    } else if (IDENT.test(rest())) {
      c.tag = ident('a tag').toLowerCase();
    }
    let any = c.tag !== null;
    for (;;) {
      const ch = source[pos];
      if (ch === '#') {
        pos += 1;
        c.ids.push(ident('an id'));
      } else if (ch === '.') {
        pos += 1;
        c.classes.push(ident('a class'));
      } else if (ch === '[') {
        c.attrs.push(attribute());
      } else if (ch === ':' || ch === '|') {
        throw new Unsupported('pseudo-classes and namespaces are not supported');
      } else {
        break;
      }
      any = true;
    }
    if (!any) throw new Unsupported(`expected a selector at ${pos}`);
    return c;
  };

  try {
    const list: Complex[] = [];
    for (;;) {
      skipSpace();
      const parts: Compound[] = [compound()];
      const combinators: Array<' ' | '>'> = [];
      for (;;) {
        const spaced = skipSpace();
        const ch = source[pos];
        if (ch === undefined || ch === ',') break;
        if (ch === '>') {
          pos += 1;
          skipSpace();
          combinators.push('>');
        } else if (ch === '+' || ch === '~') {
          throw new Unsupported('sibling combinators are not supported');
        } else if (spaced) {
          combinators.push(' ');
        } else {
          throw new Unsupported(`unexpected "${ch}" at ${pos}`);
        }
        parts.push(compound());
      }
      // Bounded so that descendant matching stays cheap on deep trees.
      if (parts.length > MAX_COMPOUNDS) throw new Unsupported(`more than ${MAX_COMPOUNDS} parts`);
      list.push({ parts: parts.reverse(), combinators: combinators.reverse() });
      if (source[pos] === ',') {
        pos += 1;
        continue;
      }
      break;
    }
    return { ok: true, selector: list };
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, message: error.message };
    throw error;
  }
}

function matchesAttr(el: SelectorTarget, test: AttrTest): boolean {
  const actual = el.attribute(test.name);
  if (actual === undefined) return false;
  if (test.op === null) return true;
  const a = test.insensitive ? actual.toLowerCase() : actual;
  const v = test.insensitive ? test.value.toLowerCase() : test.value;
  switch (test.op) {
    case '=':
      return a === v;
    case '~=':
      return v !== '' && !/\s/.test(v) && a.split(/[\t\n\f\r ]+/).includes(v);
    case '|=':
      return a === v || a.startsWith(`${v}-`);
    case '^=':
      return v !== '' && a.startsWith(v);
    case '$=':
      return v !== '' && a.endsWith(v);
    case '*=':
      return v !== '' && a.includes(v);
  }
}

function matchesCompound(el: SelectorTarget, c: Compound): boolean {
  if (c.tag !== null && c.tag !== '*' && c.tag !== el.tag) return false;
  for (const id of c.ids) if (el.attribute('id') !== id) return false;
  if (c.classes.length > 0) {
    const classes = (el.attribute('class') ?? '').split(/[\t\n\f\r ]+/);
    for (const name of c.classes) if (!classes.includes(name)) return false;
  }
  return c.attrs.every((test) => matchesAttr(el, test));
}

function matchesFrom(el: SelectorTarget, sel: Complex, index: number): boolean {
  const part = sel.parts[index];
  if (!part || !matchesCompound(el, part)) return false;
  if (index === sel.parts.length - 1) return true;
  const combinator = sel.combinators[index];
  if (combinator === '>') {
    const parent = el.selectorParent();
    return parent !== null && matchesFrom(parent, sel, index + 1);
  }
  for (let up = el.selectorParent(); up; up = up.selectorParent()) {
    if (matchesFrom(up, sel, index + 1)) return true;
  }
  return false;
}

/** Whether `el` matches any selector of the list. */
export function matchesSelector(el: SelectorTarget, list: SelectorList): boolean {
  return list.some((sel) => matchesFrom(el, sel, 0));
}

/** Whether any selector of the list looks at ancestors (has a combinator). */
/**
 * Names of the attributes a selector list looks at (`id` for `#x`, `class` for `.x`), lower
 * case: a change to any other attribute cannot change what the list matches.
 */
export function testedAttributeNames(list: SelectorList): Set<string> {
  const names = new Set<string>();
  for (const complex of list) {
    for (const part of complex.parts) {
      if (part.ids.length > 0) names.add('id');
      if (part.classes.length > 0) names.add('class');
      for (const test of part.attrs) names.add(test.name.toLowerCase());
    }
  }
  return names;
}

export function testsAncestors(list: SelectorList): boolean {
  return list.some((sel) => sel.combinators.length > 0);
}
