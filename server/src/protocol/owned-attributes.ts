/**
 * Attributes the agent console owns: it sets them itself when it rebuilds the page, and no page
 * operation may set, replace or remove them. The server drops such operations (and such
 * attributes in snapshots); the console refuses them again. Shared by server and console so that
 * both layers hold the same list. Constants and one predicate only.
 */

/**
 * On a rebuilt `<iframe>` (and `<frame>`, never built): the console's sandbox and frame source.
 * A page that could remove `sandbox` or swap `src` would lift the nested frame out of the
 * console's sandbox; `srcdoc`, `allow`, `csp` and `referrerpolicy` would each change what runs
 * or loads there.
 */
export const FRAME_OWNED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'sandbox',
  'src',
  'srcdoc',
  'allow',
  'allowfullscreen',
  'allowpaymentrequest',
  'credentialless',
  'csp',
  'referrerpolicy',
]);

/**
 * Marks the `<img>` the console builds for a `<canvas>` (a frame without scripts cannot paint a
 * canvas, so its bitmap is shown as an image).
 */
export const CANVAS_STAND_IN_ATTRIBUTE = 'data-tandem-canvas';

/**
 * On a `<canvas>`: what its stand-in `<img>` loads. Only a `canvas` operation sets it, with a PNG
 * `data:` URL; a page's `src` would otherwise make the agent's browser fetch from anywhere.
 */
export const CANVAS_OWNED_ATTRIBUTES: ReadonlySet<string> = new Set(['src', 'srcset', 'sizes']);

/**
 * The customer's focus and hover, as the console marks them on the mirrored elements: its copies
 * of the page's `:hover`/`:focus`/`:focus-visible`/`:focus-within` rules select these instead.
 * A page that set them would fake the customer's state.
 */
export const STATE_MARKER_ATTRIBUTES = {
  hover: 'data-tandem-hover',
  focus: 'data-tandem-focus',
  'focus-visible': 'data-tandem-focus-visible',
  'focus-within': 'data-tandem-focus-within',
} as const;

/** Marks the console puts on the nodes it builds. */
export const CONSOLE_MARKER_ATTRIBUTES: ReadonlySet<string> = new Set([
  CANVAS_STAND_IN_ATTRIBUTE,
  ...Object.values(STATE_MARKER_ATTRIBUTES),
]);

/**
 * Whether attribute `name` on an HTML element with lower-case local name `tag` is the console's.
 * Names compare in lower case, the way HTML attributes are matched. The console asks with
 * `canvas` for a canvas's stand-in image.
 */
export function isConsoleOwnedAttribute(tag: string, name: string): boolean {
  const lower = name.toLowerCase();
  if (CONSOLE_MARKER_ATTRIBUTES.has(lower)) return true;
  if (tag === 'canvas') return CANVAS_OWNED_ATTRIBUTES.has(lower);
  return (tag === 'iframe' || tag === 'frame') && FRAME_OWNED_ATTRIBUTES.has(lower);
}
