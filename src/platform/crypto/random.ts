import { randomFillSync } from "node:crypto";

/**
 * Random bytes for tokens, nonces and ids, from the same CSPRNG as `crypto.randomBytes` (OpenSSL's,
 * seeded by the operating system), drawn 4 KiB at a time as Node's own `randomUUID` does.
 *
 * Why a pool (issue 9): every `randomBytes(n)` call is its own trip into OpenSSL (~7 us on the benchmark
 * machine, the same for 12 bytes as for 32), and a request may need several: a field's AES-GCM nonce per
 * encrypted field of a submitted report, a session or CSRF token, a report's reference. One fill serves
 * ~130 of them. Each draw is copied out and its place in the pool wiped, so no byte is handed out twice
 * and what was handed out is not kept; the pool is refilled before a draw that does not fit.
 *
 * Key material (master and data keys, backup salts) does not come from here: it is drawn rarely and
 * straight from `crypto.randomBytes`, so it never sits in a long-lived buffer beside other draws.
 */
const POOL_BYTES = 4096;
/** The largest draw: a pool keeps ~16 of them at least. */
export const MAX_POOLED_DRAW = 256;

const pool = Buffer.alloc(POOL_BYTES);
let at = POOL_BYTES;
/** Refills so far (tests). */
let fills = 0;

export function randomBytesPooled(n: number): Buffer {
  if (!Number.isInteger(n) || n < 1 || n > MAX_POOLED_DRAW) throw new RangeError(`randomBytesPooled: 1 to ${MAX_POOLED_DRAW} bytes, not ${n}`);
  if (at + n > POOL_BYTES) {
    randomFillSync(pool);
    at = 0;
    fills++;
  }
  const out = Buffer.allocUnsafe(n);
  pool.copy(out, 0, at, at + n);
  pool.fill(0, at, at + n);
  at += n;
  return out;
}

/** How many times the pool was filled, and where the next draw starts (tests). */
export const poolState = () => ({ fills, at });
