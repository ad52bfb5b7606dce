import { expect } from "vitest";

/**
 * Asserts that a stored value is a field-encryption envelope (`v1:<key id>:<iv>.<body>`, base64 parts) that does not
 * hold `plaintext`, neither as text nor in its decoded bytes.
 *
 * The plaintext must be at least 8 characters: a ciphertext is random base64, so a short fragment such as "CLB" turns
 * up in it by chance (about once in 3,000 runs for 3 letters), which made such an assertion flaky.
 */
export function expectSealed(value: string | null | undefined, plaintext: string): void {
  if (plaintext.length < 8) throw new Error(`expectSealed needs a plaintext of at least 8 characters, got ${plaintext.length}`);
  expect(value).toMatch(/^v\d+:[A-Za-z0-9_-]+:[A-Za-z0-9+/]+={0,2}\.[A-Za-z0-9+/]+={0,2}$/);
  const text = value as string;
  expect(text).not.toContain(plaintext);
  const [iv, body] = text.split(":")[2].split(".");
  const bytes = Buffer.concat([Buffer.from(iv, "base64"), Buffer.from(body, "base64")]);
  expect(bytes.includes(Buffer.from(plaintext, "utf8"))).toBe(false);
}
