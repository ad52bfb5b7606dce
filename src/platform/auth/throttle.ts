import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { DB } from "../db/schema";

/**
 * Brute-force throttling per account and per client address, with growing delays.
 * Keys are hashed, so the table does not list e-mail addresses. Unknown accounts are throttled
 * exactly like known ones, so the delay does not reveal whether an account exists.
 */
const FREE = { account: 3, address: 10 } as const;
const MAX_DELAY_SECONDS = 15 * 60;

export const accountKey = (email: string) => `acct:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 32)}`;
export const addressKey = (ip: string) => `addr:${ip}`;

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
