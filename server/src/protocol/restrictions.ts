/**
 * DOM restrictions: which elements are masked, hidden or read-only. Configured once on the server
 * (`dom-restrictions`), sent to the snippet in the `session:start`/`session:resume` ack, applied by
 * the snippet before anything is serialized and enforced again by the server on what it receives.
 * Types and constants only, shared by snippet, console and server.
 */

/** How a masked string is replaced. */
export type MaskMode = 'length' | 'fixed';

export interface DomRestrictions {
  /** Selectors of masked elements: their text, values and descriptive attributes are replaced. */
  mask: string[];
  /** Selectors of hidden elements: replaced by an empty box of the same size. */
  hide: string[];
  /** Selectors of read-only elements: shown, but the agent may never click or type in them. */
  readOnly: string[];
  /** `length`: one mask character per character; `fixed`: always `fixedMaskLength` of them. */
  maskMode: MaskMode;
  fixedMaskLength: number;
}

/** Page authors mark elements (and everything inside them) with these attributes. */
export const MASK_ATTRIBUTE = 'data-tandem-mask';
export const HIDE_ATTRIBUTE = 'data-tandem-hide';
export const READONLY_ATTRIBUTE = 'data-tandem-readonly';
/** Marks the empty box that stands in for a hidden element. */
export const HIDDEN_PLACEHOLDER_ATTRIBUTE = 'data-tandem-hidden';

export const MASK_CHARACTER = '•';

/** `autocomplete` tokens that name card, CVC, one-time-code or password data. */
export const SENSITIVE_AUTOCOMPLETE = [
  'cc-number',
  'cc-csc',
  'cc-exp',
  'cc-exp-month',
  'cc-exp-year',
  'one-time-code',
  'current-password',
  'new-password',
] as const;

/** Always masked, whatever the config says. */
export const BUILT_IN_MASK: readonly string[] = [
  `[${MASK_ATTRIBUTE}]`,
  'input[type="password" i]',
  ...SENSITIVE_AUTOCOMPLETE.map((token) => `[autocomplete~="${token}" i]`),
];
export const BUILT_IN_HIDE: readonly string[] = [`[${HIDE_ATTRIBUTE}]`];
export const BUILT_IN_READONLY: readonly string[] = [`[${READONLY_ATTRIBUTE}]`];

/**
 * Attributes of a masked element that are masked like its text. `placeholder` is kept: it
 * describes the field ("Card number"), it does not hold what the customer typed.
 */
export const MASKED_ATTRIBUTES: readonly string[] = [
  'value',
  'title',
  'alt',
  'label',
  'aria-label',
  'aria-valuetext',
  'aria-valuenow',
  'aria-description',
];

/** What applies before the server's rules arrive, and what the config adds to. */
export const DEFAULT_RESTRICTIONS: DomRestrictions = {
  mask: [...BUILT_IN_MASK],
  hide: [...BUILT_IN_HIDE],
  readOnly: [...BUILT_IN_READONLY],
  maskMode: 'length',
  fixedMaskLength: 8,
};

/** The mask for `value` under `restrictions`; empty stays empty (nothing typed is no secret). */
export function maskString(
  value: string,
  restrictions: Pick<DomRestrictions, 'maskMode' | 'fixedMaskLength'>,
): string {
  if (value.length === 0) return value;
  const length = restrictions.maskMode === 'fixed' ? restrictions.fixedMaskLength : value.length;
  return MASK_CHARACTER.repeat(length);
}
