/**
 * The hash of the masking rules this snippet enforces (the server's, merged with the built-ins),
 * reported to the server after each start and resume so that it can tell a modified or outdated
 * snippet. Web Crypto exists only in secure contexts (HTTPS, localhost): elsewhere nothing is
 * reported, and the server's own masking is all there is.
 */
import { maskingPolicyText, type DomRestrictions } from '../../src/protocol/index.ts';

/** Hex SHA-256 of the rules' canonical text; null where the page has no Web Crypto. */
export async function hashMaskingPolicy(
  win: Window,
  rules: DomRestrictions,
): Promise<string | null> {
  const subtle = win.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(maskingPolicyText(rules)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
