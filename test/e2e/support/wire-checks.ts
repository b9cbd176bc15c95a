/**
 * Checks of what the server relayed to an agent (the wire, as read off the console's websocket):
 * nothing active, no operation on an attribute the console owns, and no resource URL that does
 * not go through the proxy. Each returns what it found, so a failure names it.
 */
import type {
  ElementNode,
  MutationOp,
  SerializedNode,
} from '../../../server/src/protocol/index.ts';
import { isConsoleOwnedAttribute } from '../../../server/src/protocol/owned-attributes.ts';
import { rewriteCss } from '../../../server/src/proxy/css-urls.ts';
import { parseSrcset } from '../../../server/src/proxy/resource-urls.ts';
import type { WireMessage } from './console-agent.ts';

const ACTIVE_TAGS = new Set([
  'script',
  'base',
  'object',
  'embed',
  'applet',
  'frame',
  'frameset',
  'noscript',
  'portal',
  'foreignobject',
  'set',
  'handler',
]);
// eslint-disable-next-line no-control-regex -- C0 controls are what browsers skip before a scheme
const SCRIPT_URL = /^[\s\u0000-\u001f]*(?:javascript|vbscript|livescript):/i;
const CSS_VALUED =
  /^(?:style|fill|stroke|filter|mask|clip-path|marker-start|marker-mid|marker-end)$/i;

/** Every URL a browser could load from `css`, as the server's tokenizer reads it. */
export function cssUrls(css: string): string[] | null {
  const urls: string[] = [];
  const ok = rewriteCss(css, (url) => {
    urls.push(url);
    return url;
  });
  return ok === null ? null : urls;
}

/** Walks every node on the wire with its element tag; `visitOp` sees each batch operation. */
function walk(
  wire: WireMessage[],
  visitNode: (el: ElementNode) => void,
  visitOp: (op: MutationOp, tags: Map<number, string>) => void = () => undefined,
): void {
  const tags = new Map<number, string>();
  const visit = (node: SerializedNode): void => {
    if (node.type === 'text') return;
    tags.set(node.id, node.ns ? `${node.ns}:${node.tag}` : node.tag);
    visitNode(node);
    for (const child of [...node.children, ...(node.shadow ?? [])]) visit(child);
    node.frame?.children.forEach(visit);
  };
  for (const message of wire) {
    if (message.kind === 'snapshot') {
      tags.clear();
      message.snapshot.doc.children.forEach(visit);
      continue;
    }
    for (const op of message.ops) {
      if (op.op === 'add') visit(op.node);
      if (op.op === 'frame' && op.doc) op.doc.children.forEach(visit);
      visitOp(op, tags);
    }
  }
}

/** Scripts, handlers, script URLs, `srcdoc`, `<base>`, plugins, meta refresh, CSS bindings. */
export function activeOnWire(wire: WireMessage[]): string[] {
  const found: string[] = [];
  const checkAttr = (tag: string, name: string, value: string): void => {
    const lower = name.toLowerCase();
    if (/^on/.test(lower) || ['srcdoc', 'http-equiv', 'formaction', 'action'].includes(lower)) {
      found.push(`${tag} ${name}`);
    }
    if (SCRIPT_URL.test(value.replace(/[\t\n\r]/g, '')) && lower !== 'content') {
      found.push(`${tag} ${name}=${value.slice(0, 40)}`);
    }
    if (/expression\(|-moz-binding|behavior\s*:/i.test(value)) found.push(`${tag} ${name} binding`);
  };
  walk(
    wire,
    (el) => {
      if (ACTIVE_TAGS.has(el.tag) || el.tag.startsWith('animate')) found.push(`<${el.tag}>`);
      for (const [name, value] of Object.entries(el.attrs)) checkAttr(el.tag, name, value);
      if (el.tag === 'style' && el.children.length > 0) found.push('text inside <style>');
    },
    (op, tags) => {
      if (op.op === 'attr' && op.value !== null)
        checkAttr(tags.get(op.id) ?? '?', op.name, op.value);
    },
  );
  return found;
}

/** Operations that set or remove an attribute the console owns (a frame's sandbox, say). */
export function ownedAttributeOps(wire: WireMessage[]): string[] {
  const found: string[] = [];
  walk(
    wire,
    (el) => {
      for (const name of Object.keys(el.attrs)) {
        if (!el.ns && isConsoleOwnedAttribute(el.tag, name))
          found.push(`${el.tag} ${name} in a tree`);
      }
    },
    (op, tags) => {
      if (op.op !== 'attr') return;
      const tag = tags.get(op.id) ?? '';
      if (!tag.includes(':') && isConsoleOwnedAttribute(tag, op.name)) {
        found.push(`${tag} ${op.name} ${op.value === null ? 'removed' : 'set'}`);
      }
    },
  );
  return found;
}

/**
 * Resource URLs (`src`, `srcset`, `poster`, `background`, stylesheet and SVG `href`, every URL
 * in CSS) that are neither a signed proxy URL under `proxyPrefix`, an inline image or font, nor
 * a fragment.
 */
export function unproxiedUrls(wire: WireMessage[], proxyPrefix: string): string[] {
  const found: string[] = [];
  const inert = (url: string): boolean =>
    url === '' ||
    url.startsWith('#') ||
    url.startsWith(proxyPrefix) ||
    /^data:(?:image\/(?!svg)|font\/|application\/(?:x-)?font)/i.test(url);
  const check = (tag: string, name: string, value: string): void => {
    const lower = name.toLowerCase();
    const svg = tag.includes(':');
    let urls: string[] = [];
    if (CSS_VALUED.test(lower)) urls = cssUrls(value) ?? [`unparseable ${value.slice(0, 40)}`];
    else if (lower === 'srcset' || lower === 'imagesrcset')
      urls = parseSrcset(value).map((c) => c.url);
    else if (lower === 'poster' || lower === 'background') urls = [value];
    else if (lower === 'src' && tag !== 'iframe') urls = [value];
    else if (
      (lower === 'href' || lower === 'xlink:href') &&
      (tag === 'link' || (svg && tag !== 'svg:a'))
    ) {
      urls = [value];
    }
    for (const url of urls)
      if (!inert(url.trim())) found.push(`${tag} ${name}: ${url.slice(0, 60)}`);
  };
  const checkCss = (where: string, css: string): void => {
    for (const url of cssUrls(css) ?? [`unparseable ${css.slice(0, 40)}`]) {
      if (!inert(url.trim())) found.push(`${where}: ${url.slice(0, 60)}`);
    }
  };
  walk(
    wire,
    (el) => {
      const tag = el.ns ? `${el.ns}:${el.tag}` : el.tag;
      for (const [name, value] of Object.entries(el.attrs)) check(tag, name, value);
      if (el.css !== undefined) checkCss(`<${el.tag}> css`, el.css);
    },
    (op, tags) => {
      if (op.op === 'attr' && op.value !== null) check(tags.get(op.id) ?? '?', op.name, op.value);
      if (op.op === 'css') checkCss('css op', op.css);
    },
  );
  return found;
}
