import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { loadConfig } from "../config";
import { loadMasterKey } from "../crypto/master-key";
import type { DB } from "../db/schema";

/**
 * Brute-force throttling per account and per client address, with growing delays.
 * Keys are keyed hashes (HMAC-SHA256; decision 0053): the table lists neither e-mail addresses nor
 * client addresses, and a copy of the table cannot be checked against guessed ones without the key.
 * The key is derived (HKDF, its own label) from the master key's key-encryption key, so every instance
 * sharing one database computes the same keys; after a master-key rotation old rows simply stop
 * matching and the daily sweep removes them. Unknown accounts are throttled exactly like known ones,
 * so the delay does not reveal whether an account exists.
 */
const FREE = { account: 3, address: 10 } as const;
const MAX_DELAY_SECONDS = 15 * 60;
/** Rows whose last failure is older than this are swept by the daily job: every delay has long ended. */
export const THROTTLE_KEEP_HOURS = 24;

let throttleKey: Buffer | undefined;
function keyOf(): Buffer {
  if (!throttleKey) {
    try {
      throttleKey = Buffer.from(hkdfSync("sha256", loadMasterKey(loadConfig(), () => {}).kek, Buffer.alloc(0), "schakel/login-throttle/v1", 32));
    } catch {
      // Without a usable configuration (a tool run outside the app) the throttle still works within this process.
      throttleKey = randomBytes(32);
    }
  }
  return throttleKey;
}
const keyed = (kind: "acct" | "addr", value: string) => `${kind}:${createHmac("sha256", keyOf()).update(`${kind}|${value}`, "utf8").digest("base64url").slice(0, 32)}`;

export const accountKey = (email: string) => keyed("acct", email.trim().toLowerCase());
export const addressKey = (ip: string) => keyed("addr", ip);

export function delaySeconds(kind: "account" | "address", failures: number): number {
  const over = failures - FREE[kind];
  if (over < 0) return 0;
  return Math.min(2 ** over, MAX_DELAY_SECONDS);
}

/** Seconds the caller still has to wait before another attempt (0 = go ahead). */
export async function waitSeconds(db: Kysely<DB>, keys: string[], now = Date.now()): Promise<number> {
  const rows = await db.selectFrom("login_throttle").select(["blocked_until"]).where("key", "in", keys).execute();
  const until = Math.max(0, ...rows.map((r) => Date.parse(r.blocked_until)));
  return Math.max(0, Math.ceil((until - now) / 1000));
}

export async function recordFailure(db: Kysely<DB>, keys: string[], now = Date.now()): Promise<void> {
  const at = new Date(now).toISOString();
  for (const key of keys) {
    await db
      .insertInto("login_throttle")
      .values({ key, failures: 1, last_failure_at: at, blocked_until: at })
      .onConflict((oc) => oc.column("key").doUpdateSet({ failures: sql`login_throttle.failures + 1`, last_failure_at: at }))
      .execute();
    const row = await db.selectFrom("login_throttle").select("failures").where("key", "=", key).executeTakeFirstOrThrow();
    const delay = delaySeconds(key.startsWith("acct:") ? "account" : "address", Number(row.failures));
    await db.updateTable("login_throttle").set({ blocked_until: new Date(now + delay * 1000).toISOString() }).where("key", "=", key).execute();
  }
}

export async function clearFailures(db: Kysely<DB>, keys: string[]): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "in", keys).execute();
}

/** Deletes throttle rows whose last failure is older than THROTTLE_KEEP_HOURS (daily job); returns how many. */
export async function sweepThrottle(db: Kysely<DB>, now = Date.now()): Promise<number> {
  const before = new Date(now - THROTTLE_KEEP_HOURS * 3_600_000).toISOString();
  const r = await db.deleteFrom("login_throttle").where("last_failure_at", "<", before).where("blocked_until", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
