/**
 * The `dom-restrictions` config section. Selectors are checked here, at start, against the subset
 * the server's selector engine supports (selector.ts), so that a rule never silently matches
 * nothing on the server while the browser applies it.
 */
import { z } from 'zod';
import { parseSelector } from './selector.ts';

const selector = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    const parsed = parseSelector(source);
    if (!parsed.ok) {
      ctx.addIssue({
        code: 'custom',
        message: `unsupported selector "${source}": ${parsed.message}`,
      });
    }
  });

const selectors = z.array(selector).max(500).default([]);

export const domRestrictionsSection = z.strictObject({
  /**
   * Selectors of masked elements: their text, form values and descriptive attributes (`value`,
   * `title`, `alt`, `aria-label`...) are replaced before they leave the browser. Added to the
   * built-ins: `[data-tandem-mask]`, password fields, and fields whose `autocomplete` names card
   * numbers, expiry, CVC, one-time codes or passwords. Default none.
   */
  mask: selectors,
  /** Selectors of hidden elements, sent as an empty box of the same size. Added to `[data-tandem-hide]`. Default none. */
  hide: selectors,
  /** Selectors of read-only elements: agents see them but can never click or type in them. Added to `[data-tandem-readonly]`. Default none. */
  readOnly: selectors,
  /** `length`: a mask keeps the length of what it hides; `fixed`: always `fixedMaskLength` characters. Default `length`. */
  maskMode: z.enum(['length', 'fixed']).default('length'),
  /** Length of a `fixed` mask. Default 8. */
  fixedMaskLength: z.number().int().min(1).max(64).default(8),
});
