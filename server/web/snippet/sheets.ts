/**
 * Style the DOM does not hold: adopted style sheets (of documents and shadow roots), rules a
 * script changes through the CSSOM (`insertRule`, `deleteRule`, `replaceSync`, `replace`,
 * `setProperty` on a rule's style), and font faces added with the FontFace API. A
 * MutationObserver sees none of these, so the few CSSOM methods that change a sheet are wrapped
 * (as rrweb does) to say which sheet changed, and each root's adopted list is compared with what
 * was last sent on a slow check (`adoptedStyleSheets.push` reaches no setter to wrap).
 * The wrappers only note the sheet and call the original; every one is undone by the teardown.
 */
import { LIMITS } from '../../src/protocol/index.ts';
import { guard } from './guard.ts';
import { absoluteCssUrls } from './urls.ts';

type Root = Document | ShadowRoot;

/** The CSS text of a sheet as the CSSOM holds it, or '' when it cannot be read or is too large. */
export function sheetCss(sheet: CSSStyleSheet, base: string): string {
  let css: string;
  try {
    css = Array.from(sheet.cssRules, (rule) => rule.cssText).join('\n');
  } catch {
    return ''; // A cross-origin sheet: its rules are not readable here.
  }
  css = absoluteCssUrls(css, base);
  return css.length > LIMITS.maxStringLength ? '' : css;
}

/** The adopted sheets of a root, each as CSS, in order; a document's font faces come last. */
export function adoptedCss(root: Root, fonts: FontSources): string[] {
  const doc = root.nodeType === Node.DOCUMENT_NODE ? (root as Document) : root.ownerDocument;
  const base = doc?.baseURI ?? '';
  const out: string[] = [];
  for (const sheet of root.adoptedStyleSheets ?? []) {
    if (out.length >= LIMITS.maxSheets - 1) break;
    out.push(sheetCss(sheet, base));
  }
  if (root.nodeType === Node.DOCUMENT_NODE) {
    const faces = fonts.css(root as Document);
    if (faces !== '') out.push(faces);
  }
  return out;
}

/** The top sheet a rule or an `@import`ed sheet belongs to. */
function topSheet(sheet: CSSStyleSheet | null): CSSStyleSheet | null {
  let current = sheet;
  for (let i = 0; current?.ownerRule && i < 32; i++) current = current.ownerRule.parentStyleSheet;
  return current;
}

type Patch = () => void;

/** Replaces `obj[name]` (a method) by one that calls `note(this)` after the original. */
function wrapMethod<T extends object>(
  obj: T | undefined,
  name: string,
  note: (self: unknown, result: unknown) => void,
): Patch | undefined {
  const target = obj as Record<string, unknown> | undefined;
  const original = target?.[name];
  if (!target || typeof original !== 'function') return undefined;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const result: unknown = (original as (...a: unknown[]) => unknown).apply(this, args);
    guard(note)(this, result);
    return result;
  };
  target[name] = wrapped;
  return () => {
    if (target[name] === wrapped) target[name] = original;
  };
}

/** What a window's CSSOM wrappers report: a sheet whose rules changed. */
export type SheetChanged = (sheet: CSSStyleSheet) => void;

/**
 * Wraps the CSSOM methods of `win` that change a sheet's rules. Returns the teardown.
 * `replace` is asynchronous: the change is noted when its promise settles.
 */
export function watchCssom(win: Window, changed: SheetChanged): () => void {
  const w = win as Window & typeof globalThis;
  const sheetNote = (self: unknown): void => {
    const sheet = topSheet(self as CSSStyleSheet);
    if (sheet) changed(sheet);
  };
  const ruleNote = (self: unknown): void => {
    const rule = self as CSSRule;
    sheetNote(rule.parentStyleSheet);
  };
  const styleNote = (self: unknown): void => {
    // An element's own style is an attribute, which the MutationObserver already sees.
    const rule = (self as CSSStyleDeclaration).parentRule;
    if (rule) sheetNote(rule.parentStyleSheet);
  };
  const sheetProto = w.CSSStyleSheet?.prototype;
  const patches = [
    wrapMethod(sheetProto, 'insertRule', sheetNote),
    wrapMethod(sheetProto, 'deleteRule', sheetNote),
    wrapMethod(sheetProto, 'addRule', sheetNote),
    wrapMethod(sheetProto, 'removeRule', sheetNote),
    wrapMethod(sheetProto, 'replaceSync', sheetNote),
    wrapMethod(sheetProto, 'replace', (self, result) => {
      const settle = guard(() => sheetNote(self));
      void (result as Promise<unknown>).then(settle, settle);
    }),
    wrapMethod(w.CSSGroupingRule?.prototype, 'insertRule', ruleNote),
    wrapMethod(w.CSSGroupingRule?.prototype, 'deleteRule', ruleNote),
    wrapMethod(w.CSSStyleDeclaration?.prototype, 'setProperty', styleNote),
    wrapMethod(w.CSSStyleDeclaration?.prototype, 'removeProperty', styleNote),
  ];
  return () => {
    for (const undo of patches) undo?.();
  };
}

/**
 * Remembers where each FontFace the page constructs loads from (a FontFace does not say), by
 * wrapping the window's constructor, and reports when its document's font set changes.
 */
export class FontSources {
  private readonly sources = new WeakMap<FontFace, string>();
  private readonly undo: Patch[] = [];

  /** Watches `win`; `changed` hears of a document whose set of added font faces changed. */
  watch(win: Window, changed: (doc: Document) => void): void {
    const w = win as Window & typeof globalThis;
    const Native = w.FontFace;
    if (typeof Native !== 'function') return;
    const sources = this.sources;
    const Wrapped = function (
      this: unknown,
      family: string,
      source: string | BufferSource,
      descriptors?: FontFaceDescriptors,
    ): FontFace {
      const face = new Native(family, source, descriptors);
      guard(() => {
        const src = fontSource(source, win.document.baseURI);
        if (src !== null) sources.set(face, src);
      })();
      return face;
    } as unknown as typeof FontFace;
    Wrapped.prototype = Native.prototype;
    w.FontFace = Wrapped;
    this.undo.push(() => {
      if (w.FontFace === Wrapped) w.FontFace = Native;
    });
    const note = (self: unknown): void => {
      if (self === win.document.fonts) changed(win.document);
    };
    const setProto = (w as { FontFaceSet?: { prototype: object } }).FontFaceSet?.prototype;
    for (const name of ['add', 'delete', 'clear']) {
      const undo = wrapMethod(setProto, name, note);
      if (undo) this.undo.push(undo);
    }
  }

  /** `@font-face` rules for the faces added to `doc`'s font set whose source is known. */
  css(doc: Document): string {
    const rules: string[] = [];
    const fonts = doc.fonts as FontFaceSet & Iterable<FontFace>;
    if (!fonts || typeof fonts[Symbol.iterator] !== 'function') return '';
    for (const face of fonts) {
      const src = this.sources.get(face);
      if (src === undefined) continue;
      rules.push(
        `@font-face { font-family: ${cssString(unquote(face.family))}; src: ${src}; ` +
          `font-style: ${face.style}; font-weight: ${face.weight}; font-stretch: ${face.stretch}; ` +
          `unicode-range: ${face.unicodeRange}; font-display: ${face.display}; }`,
      );
    }
    const css = rules.join('\n');
    return css.length > LIMITS.maxStringLength ? '' : css;
  }

  stop(): void {
    for (const undo of this.undo.splice(0)) undo();
  }
}

function unquote(family: string): string {
  const match = /^(["'])(.*)\1$/.exec(family);
  return match ? (match[2] ?? '') : family;
}

function cssString(value: string): string {
  return `"${value.replace(/["\\\n\r\f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

/** A FontFace source as a CSS `src` value: its URLs made absolute, binary data as a data: URL. */
function fontSource(source: string | BufferSource, base: string): string | null {
  if (typeof source === 'string') {
    const src = absoluteCssUrls(source, base);
    return /[{};]/.test(src) ? null : src; // Only one declaration's value, never more CSS.
  }
  const bytes =
    source instanceof ArrayBuffer
      ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (bytes.byteLength * 1.4 > LIMITS.maxStringLength) return null;
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  const type = magic === 'wOF2' ? 'woff2' : magic === 'wOFF' ? 'woff' : 'ttf';
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `url("data:font/${type};base64,${btoa(binary)}")`;
}

/**
 * What was last sent of each root's adopted list, to tell which roots changed. Sheets are
 * compared by identity: a sheet whose rules change is reported by the CSSOM wrappers instead.
 */
export class AdoptedLists {
  private readonly last = new WeakMap<Root, readonly CSSStyleSheet[]>();

  /** Whether the root's list differs from what was last noted; notes it. */
  changed(root: Root): boolean {
    const now = root.adoptedStyleSheets ?? [];
    const before = this.last.get(root);
    if (before && before.length === now.length && before.every((s, i) => s === now[i])) {
      return false;
    }
    if (!before && now.length === 0) return false;
    this.last.set(root, [...now]);
    return true;
  }

  /** Whether `root` adopts `sheet`. */
  adopts(root: Root, sheet: CSSStyleSheet): boolean {
    return (root.adoptedStyleSheets ?? []).includes(sheet);
  }

  forget(root: Root): void {
    this.last.delete(root);
  }
}
