/**
 * A CSS tokenizer after CSS Syntax Level 3 (§3 "Tokenizing and Parsing CSS"), so that the server
 * reads CSS the way a browser does: escapes (`u\72l(`, `@im\port`), comments, `url(` in either
 * form, and where strings and URLs end. Each token keeps its source span, so a rewriter can copy
 * what it does not change. Input is preprocessed first (CR, CRLF and FF become LF; NUL becomes
 * U+FFFD), as browsers do. Unterminated strings, comments and URLs are marked `bad`: the caller
 * refuses them rather than guess how a browser recovers.
 */

export type CssTokenType =
  | 'ws'
  | 'comment'
  | 'string'
  | 'url'
  | 'ident'
  | 'function'
  | 'at'
  | 'hash'
  | 'number'
  | 'delim'
  | 'open'
  | 'close'
  | ';'
  | ':'
  | ',';

export interface CssToken {
  type: CssTokenType;
  /** Source span in the preprocessed text. */
  start: number;
  end: number;
  /**
   * The value with escapes resolved: a string's or URL's content, an ident's, function's (without
   * `(`), at-keyword's (without `@`) or hash's name, a delim's or bracket's character.
   */
  value: string;
  /** A string or comment that hit a newline or the end, or a URL that broke the grammar. */
  bad?: true;
}

/** What browsers do to CSS before tokenizing it. */
export function preprocessCss(css: string): string {
  return css.replace(/\r\n?|\f/g, '\n').replace(/\0/g, '\ufffd');
}

const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);
const isWs = (c: string): boolean => c === ' ' || c === '\t' || c === '\n';
const isNameStart = (c: string): boolean => /^[a-zA-Z_]$/.test(c) || c.charCodeAt(0) >= 0x80;
const isName = (c: string): boolean => isNameStart(c) || /^[0-9-]$/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
// eslint-disable-next-line no-control-regex
const isNonPrintable = (c: string): boolean => /^[\u0000-\u0008\u000b\u000e-\u001f\u007f]$/.test(c);

/** Tokenizes `text`, which must already be preprocessed ({@link preprocessCss}). */
export function tokenizeCss(text: string): CssToken[] {
  const tokens: CssToken[] = [];
  let i = 0;
  const at = (k: number): string => text[k] ?? '';
  const validEscape = (k: number): boolean =>
    at(k) === '\\' && at(k + 1) !== '\n' && k + 1 < text.length;
  const startsIdent = (k: number): boolean => {
    const c = at(k);
    if (c === '-') return isNameStart(at(k + 1)) || at(k + 1) === '-' || validEscape(k + 1);
    return isNameStart(c) || validEscape(k);
  };
  const startsNumber = (k: number): boolean => {
    const c = at(k);
    if (c === '+' || c === '-')
      return isDigit(at(k + 1)) || (at(k + 1) === '.' && isDigit(at(k + 2)));
    if (c === '.') return isDigit(at(k + 1));
    return isDigit(c);
  };
  /** Consumes an escape after the backslash at `i` (spec §4.3.7); returns the code point. */
  const escape = (): string => {
    i += 1; // the backslash
    if (i >= text.length) return '\ufffd';
    if (isHex(at(i))) {
      let hex = '';
      while (hex.length < 6 && isHex(at(i))) hex += text[i++];
      if (isWs(at(i))) i += 1;
      const code = Number.parseInt(hex, 16);
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
        ? '\ufffd'
        : String.fromCodePoint(code);
    }
    const cp = text.codePointAt(i) ?? 0xfffd;
    const char = String.fromCodePoint(cp);
    i += char.length;
    return char;
  };
  const name = (): string => {
    let out = '';
    for (;;) {
      if (i < text.length && isName(at(i))) {
        out += text[i++];
      } else if (validEscape(i)) {
        out += escape();
      } else {
        return out;
      }
    }
  };
  const push = (type: CssTokenType, start: number, value: string, bad = false): void => {
    tokens.push(bad ? { type, start, end: i, value, bad: true } : { type, start, end: i, value });
  };
  const string = (start: number, quote: string): void => {
    i += 1;
    let out = '';
    for (;;) {
      if (i >= text.length) return push('string', start, out, true);
      const c = at(i);
      if (c === quote) {
        i += 1;
        return push('string', start, out);
      }
      if (c === '\n') return push('string', start, out, true); // the newline is not consumed
      if (c === '\\') {
        if (i + 1 >= text.length) {
          i += 1;
          continue;
        }
        if (at(i + 1) === '\n') {
          i += 2;
          continue;
        }
        out += escape();
        continue;
      }
      out += c;
      i += 1;
    }
  };
  /** An unquoted `url(` token (spec §4.3.6); `i` is just after `(`. */
  const url = (start: number): void => {
    while (isWs(at(i))) i += 1;
    let out = '';
    for (;;) {
      if (i >= text.length) return push('url', start, out, true);
      const c = at(i);
      if (c === ')') {
        i += 1;
        return push('url', start, out);
      }
      if (isWs(c)) {
        while (isWs(at(i))) i += 1;
        if (at(i) === ')') {
          i += 1;
          return push('url', start, out);
        }
        return badUrl(start, out);
      }
      if (c === '"' || c === "'" || c === '(' || isNonPrintable(c)) return badUrl(start, out);
      if (c === '\\') {
        if (!validEscape(i)) return badUrl(start, out);
        out += escape();
        continue;
      }
      out += c;
      i += 1;
    }
  };
  const badUrl = (start: number, out: string): void => {
    while (i < text.length && at(i) !== ')') {
      if (validEscape(i)) escape();
      else i += 1;
    }
    if (i < text.length) i += 1;
    push('url', start, out, true);
  };
  const identLike = (start: number): void => {
    const value = name();
    if (value.toLowerCase() === 'url' && at(i) === '(') {
      i += 1;
      let k = i;
      while (isWs(at(k)) && isWs(at(k + 1))) k += 1;
      const next = isWs(at(k)) ? at(k + 1) : at(k);
      // `url(` then a quote is a function with a string argument, as any other function.
      if (next === '"' || next === "'") return push('function', start, value);
      return url(start);
    }
    if (at(i) === '(') {
      i += 1;
      return push('function', start, value);
    }
    push('ident', start, value);
  };
  const number = (start: number): void => {
    if (at(i) === '+' || at(i) === '-') i += 1;
    while (isDigit(at(i))) i += 1;
    if (at(i) === '.' && isDigit(at(i + 1))) {
      i += 1;
      while (isDigit(at(i))) i += 1;
    }
    if (
      (at(i) === 'e' || at(i) === 'E') &&
      (isDigit(at(i + 1)) || (/[+-]/.test(at(i + 1)) && isDigit(at(i + 2))))
    ) {
      i += 2;
      while (isDigit(at(i))) i += 1;
    }
    if (startsIdent(i))
      name(); // a dimension's unit
    else if (at(i) === '%') i += 1;
    push('number', start, text.slice(start, i));
  };

  while (i < text.length) {
    const start = i;
    const c = at(i);
    if (c === '/' && at(i + 1) === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      push('comment', start, '', close < 0);
    } else if (isWs(c)) {
      while (isWs(at(i))) i += 1;
      push('ws', start, ' ');
    } else if (c === '"' || c === "'") {
      string(start, c);
    } else if (c === '#') {
      i += 1;
      if (isName(at(i)) || validEscape(i)) push('hash', start, name());
      else push('delim', start, '#');
    } else if (c === '(' || c === '[' || c === '{') {
      i += 1;
      push('open', start, c);
    } else if (c === ')' || c === ']' || c === '}') {
      i += 1;
      push('close', start, c);
    } else if (c === ';' || c === ':' || c === ',') {
      i += 1;
      push(c, start, c);
    } else if (startsNumber(i)) {
      number(start);
    } else if (c === '-' && at(i + 1) === '-' && at(i + 2) === '>') {
      i += 3;
      push('delim', start, '-->');
    } else if (c === '<' && text.startsWith('!--', i + 1)) {
      i += 4;
      push('delim', start, '<!--');
    } else if (startsIdent(i)) {
      identLike(start);
    } else if (c === '@') {
      i += 1;
      if (startsIdent(i)) push('at', start, name());
      else push('delim', start, '@');
    } else {
      // A lone backslash (an invalid escape) is a delim, as in browsers.
      const cp = text.codePointAt(i) ?? 0;
      i += cp > 0xffff ? 2 : 1;
      push('delim', start, text.slice(start, i));
    }
  }
  return tokens;
}
