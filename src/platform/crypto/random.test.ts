import { describe, expect, it } from "vitest";
import { MAX_POOLED_DRAW, poolState, randomBytesPooled } from "./random";

describe("pooled random bytes", () => {
  it("never hands out the same bytes twice, across many refills of the pool", () => {
    const before = poolState().fills;
    const seen = new Set<string>();
    // 12-byte nonces (AES-GCM) and 32-byte tokens, interleaved: ~50 refills of the 4 KiB pool.
    for (let i = 0; i < 5_000; i++) {
      for (const n of [12, 32]) {
        const b = randomBytesPooled(n);
        expect(b.length).toBe(n);
        const hex = b.toString("hex");
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
    expect(poolState().fills - before).toBeGreaterThanOrEqual(Math.floor((5_000 * 44) / 4096));
  });

  it("gives each caller its own buffer: changing one draw changes no other", () => {
    const a = randomBytesPooled(32);
    const b = randomBytesPooled(32);
    const bBefore = Buffer.from(b);
    a.fill(0);
    expect(b.equals(bBefore)).toBe(true);
    expect(bBefore.equals(Buffer.alloc(32))).toBe(false);
  });

  it("refills before a draw that does not fit, so a draw is never cut short", () => {
    // Bring the pool to 10 bytes before its end, then ask for more than that.
    const left = () => 4096 - poolState().at;
    if (left() < 10) randomBytesPooled(left() + 1);
    while (left() > 10) randomBytesPooled(Math.min(MAX_POOLED_DRAW, left() - 10));
    expect(left()).toBe(10);
    const fills = poolState().fills;
    const b = randomBytesPooled(32);
    expect(b.length).toBe(32);
    expect(poolState()).toEqual({ fills: fills + 1, at: 32 });
  });

  it("refuses sizes it is not for", () => {
    for (const n of [0, -1, 1.5, MAX_POOLED_DRAW + 1, Number.NaN]) expect(() => randomBytesPooled(n)).toThrow(RangeError);
  });

  it("looks uniformly random: every byte value about equally often", () => {
    const counts = new Array<number>(256).fill(0);
    const N = 256 * 400;
    for (let i = 0; i < N / 32; i++) for (const v of randomBytesPooled(32)) counts[v]++;
    // Chi-square with 255 degrees of freedom: p < 1e-6 beyond ~370.
    const expected = N / 256;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(370);
  });
});
