/**
 * The masking policy's digest input: the DOM restrictions in force, normalized (each selector
 * list deduplicated and sorted, so that the order rules were merged in does not matter) and
 * written as canonical JSON. The server and the snippet hash the same text with SHA-256; the
 * snippet reports its hash at start and resume (`session:policy`) and the server compares.
 */
import { canonicalJson } from './canonical-json.ts';
import type { DomRestrictions } from './restrictions.ts';

const normalized = (list: readonly string[]): string[] => [...new Set(list)].sort();

/** The text whose SHA-256 is the policy's hash. */
export function maskingPolicyText(rules: DomRestrictions): string {
  return canonicalJson({
    mask: normalized(rules.mask),
    hide: normalized(rules.hide),
    readOnly: normalized(rules.readOnly),
    maskMode: rules.maskMode,
    fixedMaskLength: rules.fixedMaskLength,
  });
}

/** What the snippet reports: the hex SHA-256 of {@link maskingPolicyText} of the rules it enforces. */
export interface PolicyReport {
  hash: string;
}

/** A warning for the agents of a session (shown in the console until the session ends). */
export interface SessionWarning {
  code: 'policy_mismatch';
  message: string;
}
