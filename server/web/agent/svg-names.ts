/**
 * The protocol sends tag names in lower case, but SVG is case-sensitive: `lineargradient` is not
 * a gradient. These are the SVG elements whose names have capitals.
 */
const SVG_MIXED_CASE = [
  'altGlyph',
  'altGlyphDef',
  'altGlyphItem',
  'animateColor',
  'animateMotion',
  'animateTransform',
  'clipPath',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feConvolveMatrix',
  'feDiffuseLighting',
  'feDisplacementMap',
  'feDistantLight',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feImage',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
  'fePointLight',
  'feSpecularLighting',
  'feSpotLight',
  'feTile',
  'feTurbulence',
  'foreignObject',
  'glyphRef',
  'linearGradient',
  'radialGradient',
  'textPath',
];

const BY_LOWER = new Map(SVG_MIXED_CASE.map((name) => [name.toLowerCase(), name]));

/** The SVG element name with its proper case. */
export function svgTagName(tag: string): string {
  return BY_LOWER.get(tag) ?? tag;
}
