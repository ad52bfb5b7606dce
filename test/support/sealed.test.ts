import { describe, expect, it } from "vitest";
import { expectSealed } from "./sealed";

// The helper other tests rely on to say "stored encrypted" must itself refuse what is not.
describe("expectSealed", () => {
  const iv = Buffer.alloc(12, 7).toString("base64");
  const envelope = (body: Buffer) => `v1:field-1:${iv}.${body.toString("base64")}`;

  it("passes an envelope whose bytes do not hold the plaintext", () => {
    expect(() => expectSealed(envelope(Buffer.alloc(40, 1)), "Jan Janssens")).not.toThrow();
  });

  it("fails the plaintext itself, the plaintext inside an envelope, and base64 of the plaintext without encryption", () => {
    expect(() => expectSealed("Jan Janssens", "Jan Janssens")).toThrow();
    expect(() => expectSealed(`v1:field-1:${iv}.Jan Janssens`, "Jan Janssens")).toThrow();
    expect(() => expectSealed(envelope(Buffer.from("xxJan Janssensxx", "utf8")), "Jan Janssens")).toThrow();
    expect(() => expectSealed(null, "Jan Janssens")).toThrow();
  });

  it("refuses a plaintext too short to be told from chance", () => {
    expect(() => expectSealed(envelope(Buffer.alloc(40, 1)), "CLB")).toThrow(/at least 8 characters/);
  });
});
