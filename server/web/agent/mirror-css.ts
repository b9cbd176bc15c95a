/**
 * The console's copies of the page's rules, made to show the customer's state. The mirror's
 * own focus and hover belong to the agent (who is not interacting with the customer's page), so
 * `:hover`, `:focus`, `:focus-visible` and `:focus-within` in the page's CSS become attribute
 * selectors that the mirror sets on the elements the customer's state names (mirror-state.ts).
 * Only selectors change; the CSS was sanitized by the server and stays as inert as it was.
 */

import { STATE_MARKER_ATTRIBUTES } from '../../src/protocol/owned-attributes.ts';

/** The marker attribute that stands for each pseudo-class in the mirror. */
export const STATE_MARKERS = STATE_MARKER_ATTRIBUTES;

export type StatePseudo = keyof typeof STATE_MARKERS;

/**
 * Strings and comments are passed over whole; a media feature such as `(hover: hover)` is not a
 * selector; anything else that reads `:hover` (not `:hover-x`) is the pseudo-class.
 */
const TOKENS =
  /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?(?:\*\/|$)|\(\s*(?:any-)?hover\s*:\s*[a-z]+\s*\))|:(hover|focus-visible|focus-within|focus)(?![\w-])/gi;

/** `css` with the state pseudo-classes replaced by their marker attributes. */
export function rewriteStateSelectors(css: string): string {
  if (!/:(?:hover|focus)/i.test(css)) return css;
  return css.replace(TOKENS, (whole, skipped: string | undefined, pseudo: string | undefined) =>
    skipped !== undefined || pseudo === undefined
      ? whole
      : `[${STATE_MARKERS[pseudo.toLowerCase() as StatePseudo]}]`,
  );
}

/**
 * What the browser itself draws for focus (its own `:focus-visible` outline), for the markers;
 * and no media controls the page did not ask for (a frame without scripts shows them on every
 * `<video>`, which the mirror shows as its current frame). In a layer, so that any rule of the
 * page's wins over it as the browser's own style would.
 */
export const BASE_STATE_CSS = `@layer tandem-user-agent {
  [${STATE_MARKERS['focus-visible']}] { outline: auto 1px -webkit-focus-ring-color; }
  video:not([controls])::-webkit-media-controls { display: none; }
}`;
