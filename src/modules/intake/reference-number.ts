import { randomBytesPooled } from "../../platform/crypto/random";

// Crockford base32 without I, L, O, U: easy to read aloud over the phone.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A report's reference: "M-" + 12 random base32 characters (60 bits) in groups of four.
 * Random, so it reveals neither a count nor an order, and it contains no personal data.
 */
export function newReference(): string {
  const bytes = randomBytesPooled(12);
  let out = "";
  for (let i = 0; i < 12; i++) out += ALPHABET[bytes[i] & 31];
  return `M-${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`;
}

export const REFERENCE_PATTERN = /^M-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
