/**
 * Session codes: short enough to read over the phone, random enough that guessing one within its
 * lifetime and the join rate limit is hopeless (8 characters of 32 = 40 bits; at 10 tries a minute
 * for 10 minutes an address has a 1 in 10^10 chance).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** No I, O, 0 or 1: nothing a customer could misread. 32 letters, so 5 random bits map without bias. */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export type RandomSource = (size: number) => Uint8Array;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);

export function generateCode(length: number, random: RandomSource = cryptoRandom): string {
  const bytes = random(length);
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[(bytes[i] ?? 0) & 31];
  return code;
}

/** Accepts what people type: lower case, spaces and dashes. Returns null when it cannot be a code. */
export function normalizeCode(input: string, length: number): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== length) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** `ABCDEFGH` → `ABCD-EFGH`, as the widget shows it. */
export function formatCode(code: string): string {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** A secret the customer's snippet keeps to resume its session after a reconnect. */
export function generateToken(random: RandomSource = cryptoRandom): string {
  return Buffer.from(random(32)).toString('base64url');
}

/**
 * Compares two codes in constant time: both are hashed first, so that neither their content nor
 * their length shows in the time taken.
 */
export function codesMatch(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function tokenMatches(token: string, hash: string): boolean {
  const a = Buffer.from(hashToken(token));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}
