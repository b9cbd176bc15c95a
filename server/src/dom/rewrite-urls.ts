/**
 * The last page step: every resource URL the agent's browser would load (`src`, `srcset`,
 * `href` of links and SVG references, `poster`, `background`, `url()` and `@import` in `<style>`
 * and `style`) becomes a signed, expiring `/proxy/r/...` URL bound to the session, so that the
 * agent loads only from the Tandem server and the proxy fetches only what this page referenced.
 * Links the agent cannot follow (`<a href>`, form actions) are left alone.
 */
import type {
  DocumentNode,
  ElementNode,
  MutationOp,
  NodeId,
  PageBatch,
  PageSnapshot,
  SerializedNode,
} from '../protocol/index.ts';
import { rewriteCss as rewriteCssText } from '../proxy/css-urls.ts';
import { NOTHING, proxiedSrcset, proxiedUrl } from '../proxy/resource-urls.ts';
import type { ResourceSigner } from '../proxy/signing.ts';
import type { PageContext, PageStep } from './pipeline.ts';
import { SessionCache, type SessionCacheOptions } from './session-cache.ts';

/** HTML elements whose `src` is a resource (not iframes: the console sets those itself). */
const SRC_TAGS = new Set(['img', 'source', 'video', 'audio', 'track', 'input', 'embed']);
/** Attributes whose value may hold `url(...)` references. */
const CSS_VALUED = new Set([
  'style',
  'fill',
  'stroke',
  'filter',
  'mask',
  'clip-path',
  'marker-start',
  'marker-mid',
  'marker-end',
]);

interface NodeInfo {
  tag: string;
  ns?: 'svg' | 'math';
}

interface SessionPage {
  /** The page's URL, for any URL that arrives relative. */
  base: string | null;
  elements: Map<NodeId, NodeInfo>;
  /** Text nodes inside `<style>`: their text is CSS. */
  styleTexts: Set<NodeId>;
}

type AttrKind = 'url' | 'srcset' | 'css' | null;

/** What kind of value `name` holds on an element, for rewriting; null leaves it alone. */
export function attributeKind(info: NodeInfo | undefined, name: string): AttrKind {
  const lower = name.toLowerCase();
  if (CSS_VALUED.has(lower)) return 'css';
  if (lower === 'srcset' || lower === 'imagesrcset') return 'srcset';
  if (lower === 'poster' || lower === 'background') return 'url';
  // Unknown element (a batch before any snapshot): treat every URL-ish attribute as a resource.
  if (!info) return ['src', 'href', 'xlink:href'].includes(lower) ? 'url' : null;
  if (info.ns === 'svg')
    return (lower === 'href' || lower === 'xlink:href') && info.tag !== 'a' ? 'url' : null;
  if (info.ns === 'math') return null;
  if (lower === 'src') return SRC_TAGS.has(info.tag) ? 'url' : null;
  if (lower === 'href') return info.tag === 'link' ? 'url' : null;
  return null;
}

/** The step, with the size of its per-session map for the gauge. */
export type RewriteUrlsStep = PageStep & { readonly sessionCount: number };

export function createRewriteUrlsStep(
  signer: ResourceSigner,
  cache: SessionCacheOptions = {},
): RewriteUrlsStep {
  const pages = new SessionCache<SessionPage>(cache);

  const pageOf = (sessionId: string): SessionPage => {
    let page = pages.get(sessionId);
    if (!page) {
      page = { base: null, elements: new Map(), styleTexts: new Set() };
      pages.set(sessionId, page);
    }
    return page;
  };

  const rewriteValue = (
    ctx: PageContext,
    page: SessionPage,
    kind: AttrKind,
    value: string,
  ): string => {
    if (kind === 'url') return proxiedUrl(signer, ctx.sessionId, value, page.base);
    if (kind === 'srcset') return proxiedSrcset(signer, ctx.sessionId, value, page.base);
    // Without `(` or `@` CSS holds no URL, escaped or not: no tokenizing needed.
    if (kind === 'css' && /[(@]/.test(value)) return rewriteCss(ctx, page, value);
    return value;
  };

  /** Through the one CSS rewriter; CSS it cannot parse (never past the sanitizer) becomes empty. */
  const rewriteCss = (ctx: PageContext, page: SessionPage, css: string): string =>
    rewriteCssText(css, (raw) => {
      const url = proxiedUrl(signer, ctx.sessionId, raw, page.base);
      return url === NOTHING ? null : url;
    }) ?? '';

  const rewriteNode = (
    ctx: PageContext,
    page: SessionPage,
    node: SerializedNode,
    parentTag: string | null,
  ): SerializedNode => {
    if (node.type === 'text') {
      if (parentTag !== 'style') return node;
      page.styleTexts.add(node.id);
      return { ...node, text: rewriteCss(ctx, page, node.text) };
    }
    return rewriteElement(ctx, page, node);
  };

  const rewriteElement = (ctx: PageContext, page: SessionPage, el: ElementNode): ElementNode => {
    const info: NodeInfo = el.ns ? { tag: el.tag, ns: el.ns } : { tag: el.tag };
    page.elements.set(el.id, info);
    const attrs = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries(el.attrs)) {
      attrs[name] = rewriteValue(ctx, page, attributeKind(info, name), value);
    }
    const out: ElementNode = {
      ...el,
      attrs,
      children: el.children.map((child) => rewriteNode(ctx, page, child, el.tag)),
    };
    if (el.shadow) out.shadow = el.shadow.map((child) => rewriteNode(ctx, page, child, null));
    if (el.frame) out.frame = rewriteDocument(ctx, page, el.frame);
    if (el.css !== undefined) out.css = rewriteCss(ctx, page, el.css);
    return out;
  };

  const rewriteDocument = (
    ctx: PageContext,
    page: SessionPage,
    doc: DocumentNode,
  ): DocumentNode => ({
    ...doc,
    children: doc.children.map((child) => rewriteNode(ctx, page, child, null)),
  });

  const rewriteOp = (ctx: PageContext, page: SessionPage, op: MutationOp): MutationOp => {
    switch (op.op) {
      case 'add': {
        const parent = page.elements.get(op.parent)?.tag ?? null;
        return { ...op, node: rewriteNode(ctx, page, op.node, parent) };
      }
      case 'attr': {
        if (op.value === null) return op;
        const kind = attributeKind(page.elements.get(op.id), op.name);
        if (kind === null) return op;
        const value = rewriteValue(ctx, page, kind, op.value);
        return value === op.value ? op : { ...op, value };
      }
      case 'css':
        return { ...op, css: rewriteCss(ctx, page, op.css) };
      case 'sheets':
        return { ...op, sheets: op.sheets.map((css) => rewriteCss(ctx, page, css)) };
      case 'text':
        return page.styleTexts.has(op.id) ? { ...op, text: rewriteCss(ctx, page, op.text) } : op;
      case 'frame':
        return op.doc ? { ...op, doc: rewriteDocument(ctx, page, op.doc) } : op;
      default:
        return op;
    }
  };

  return {
    name: 'rewriteUrls',
    snapshot(ctx, snapshot: PageSnapshot): PageSnapshot {
      // A fresh snapshot describes the whole page: what was known of the previous one goes.
      const page: SessionPage = { base: null, elements: new Map(), styleTexts: new Set() };
      try {
        page.base = new URL(snapshot.url).href;
      } catch {
        page.base = null;
      }
      pages.set(ctx.sessionId, page);
      return { ...snapshot, doc: rewriteDocument(ctx, page, snapshot.doc) };
    },
    batch(ctx, batch: PageBatch): PageBatch {
      const page = pageOf(ctx.sessionId);
      return { ...batch, ops: batch.ops.map((op) => rewriteOp(ctx, page, op)) };
    },
    hasSession: (sessionId) => pages.has(sessionId),
    forget(sessionId) {
      pages.delete(sessionId);
    },
    get sessionCount() {
      return pages.size;
    },
  };
}
