/**
 * What a restriction does to one serialized node, in place: masking replaces text, values and
 * descriptive attributes; hiding turns an element into an empty box that keeps only its size.
 * Used by the restrictions step on its own copy of the tree (page-tree.ts).
 */
import type { ElementNode, TextNode } from '../protocol/index.ts';
import {
  HIDDEN_PLACEHOLDER_ATTRIBUTE,
  MASKED_ATTRIBUTES,
  maskString,
  type DomRestrictions,
} from '../protocol/restrictions.ts';

export type MaskOptions = Pick<DomRestrictions, 'maskMode' | 'fixedMaskLength'>;

const MASKED = new Set(MASKED_ATTRIBUTES);

export function isMaskedAttribute(name: string): boolean {
  return MASKED.has(name.toLowerCase());
}

export function maskText(node: TextNode, options: MaskOptions): void {
  node.text = maskString(node.text, options);
}

/** Masks an element's own data: its live value, descriptive attributes and canvas bitmap. */
export function maskElement(node: ElementNode, options: MaskOptions): void {
  if (node.value !== undefined) node.value = maskString(node.value, options);
  for (const name of Object.keys(node.attrs)) {
    if (isMaskedAttribute(name)) node.attrs[name] = maskString(node.attrs[name] ?? '', options);
  }
  delete node.canvas;
}

const SIZE_PROPERTY = /^(?:display|width|height|min-width|min-height|box-sizing)$/;
const SIZE_VALUE =
  /^(?:-?[\d.]+(?:px|%|em|rem|vw|vh)?|auto|border-box|content-box|block|inline-block|inline|flex|inline-flex|grid|none)$/;

/** Only the declarations that give a box its size, and only plain values. */
export function sizeStyle(style: string | undefined): string {
  const kept: string[] = [];
  for (const declaration of (style ?? '').split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (SIZE_PROPERTY.test(property) && SIZE_VALUE.test(value)) kept.push(`${property}: ${value}`);
  }
  return kept.join('; ');
}

/**
 * Turns `node` into the empty box that stands for a hidden element. A box the snippet built keeps
 * its measured size; one the server makes from an element that slipped through keeps whatever
 * size its inline style gave it.
 */
export function hideElement(node: ElementNode): void {
  const style = sizeStyle(node.attrs.style);
  const keepTag = node.tag === 'div' || node.tag === 'span';
  if (node.ns === 'svg') node.tag = 'g';
  else if (node.ns === 'math') node.tag = 'mrow';
  else if (!keepTag) node.tag = 'div';
  const attrs = Object.create(null) as Record<string, string>;
  attrs[HIDDEN_PLACEHOLDER_ATTRIBUTE] = '';
  if (style && !node.ns) attrs.style = style;
  node.attrs = attrs;
  node.children = [];
  delete node.shadow;
  delete node.frame;
  delete node.value;
  delete node.checked;
  delete node.selected;
  delete node.css;
  delete node.canvas;
}
