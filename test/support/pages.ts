/**
 * Serialized pages for tests and benchmarks that speak the protocol without a browser: a document
 * (id 1) holding `<html>` (id 2) and `<body>` (id 3) with the given children.
 */
import type {
  DocumentNode,
  ElementNode,
  PageSnapshot,
  SerializedNode,
} from '../../server/src/protocol/index.ts';

/** An element node; `extra` sets the fields beyond attributes and children (value, shadow, …). */
export function element(
  id: number,
  tag: string,
  attrs: Record<string, string> = {},
  children: SerializedNode[] = [],
  extra: Partial<ElementNode> = {},
): ElementNode {
  return { type: 'element', id, tag, attrs, children, ...extra };
}

export const text = (id: number, value: string): SerializedNode => ({
  type: 'text',
  id,
  text: value,
});

export interface PageOptions {
  url?: string;
  title?: string;
  bodyAttrs?: Record<string, string>;
}

/** The document alone: `<html>` (id 2) holding `<body>` (id 3) with `body` as its children. */
export function pageDocument(
  body: SerializedNode[],
  bodyAttrs: Record<string, string> = {},
): DocumentNode {
  return {
    type: 'document',
    id: 1,
    children: [element(2, 'html', {}, [element(3, 'body', bodyAttrs, body)])],
  };
}

export function pageSnapshot(
  seq: number,
  body: SerializedNode[],
  options: PageOptions = {},
): PageSnapshot {
  return {
    seq,
    url: options.url ?? 'https://shop.test/',
    title: options.title ?? 'Shop',
    viewport: { width: 1280, height: 800 },
    doc: pageDocument(body, options.bodyAttrs),
  };
}
