/**
 * The masking policy's hash on the server: SHA-256 (hex) of the canonical JSON of the DOM
 * restrictions it enforces and sends to snippets. A snippet that reports another hash enforces
 * other rules: modified, stale (cached from before a config change), or served by another build.
 */
import { createHash } from 'node:crypto';
import { maskingPolicyText, type DomRestrictions } from '../protocol/index.ts';

export function maskingPolicyHash(rules: DomRestrictions): string {
  return createHash('sha256').update(maskingPolicyText(rules)).digest('hex');
}
