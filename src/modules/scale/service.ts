import { sql } from "kysely";
import { audit } from "../../platform/audit";
import { hashPassword } from "../../platform/auth/password";
import type { AppContext } from "../../platform/context";
import { keyringFor } from "../../platform/crypto/keyring";
import { toCount } from "../../platform/db/values";
import { getMeta, setMeta } from "../../platform/meta";
import { seedAudit } from "./audit";
import { seedAwareness } from "./awareness";
import { seedCases } from "./cases";
import { dateOfDay, dayNumber, Rng } from "./random";
import { SCALE_DOMAIN, type ScaleCounts, seedStructure } from "./structure";
import { BulkWriter } from "./writer";

export { SCALE_DOMAIN } from "./structure";

/** The one password of every synthetic account (fictional data; refused in production like the demo). */
export const SCALE_PASSWORD = "Schakel-scale-bench-2026!";
/** The TOTP secret of every synthetic account, so a benchmark can log in through the real MFA step. */
export const SCALE_TOTP_SECRET = "KRSXG5CTMVZGK5DBMJSWC3DFMJSW4Y3I";
/** The last day of the synthetic period (fixed, so a seed value always gives the same data set). */
export const SCALE_UNTIL = "2026-11-01";

export class ScaleSeedError extends Error {}

/** How many of each at scale N (N = 1: 250 cells, 3,000 organisations, 10,000 users, 100,000 cases, 2 million audit entries). */
export function countsFor(scale: number): ScaleCounts {
  const livcs = Math.max(2, Math.round(250 * scale));
  return {
    livcs,
    organisations: Math.max(livcs * 3, Math.round(3_000 * scale)),
    users: Math.max(3 + livcs * 5, Math.round(10_000 * scale)),
    cases: Math.max(20, Math.round(100_000 * scale)),
    audit: Math.max(1_000, Math.round(2_000_000 * scale)),
  };
}

export interface ScaleResult {
  counts: ScaleCounts;
  rows: Record<string, number>;
  seconds: number;
}

/**
 * Generates the synthetic data set of issue 9 straight into each module's tables (batched
 * multi-row inserts, one transaction per chunk). Identities and free text are encrypted with the
 * database's real key ring; the audit entries continue the hash chain.
 */
export async function seedScale(
  ctx: AppContext,
  opts: { scale: number; seed: number; until?: string; progress?: (done: number, total: number, phase: string) => void },
): Promise<ScaleResult> {
  if (ctx.config.production) throw new ScaleSeedError("Synthetic data is never loaded in production (NODE_ENV=production).");
  if (!(opts.scale > 0 && opts.scale <= 10)) throw new ScaleSeedError("--scale must be a number above 0 and at most 10 (1 = 100 times Flanders' volume).");
  const db = ctx.database.db;
  const existing = toCount((await db.selectFrom("livc").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
  if (existing > 0 || (await getMeta(db, "demo_seeded"))) throw new ScaleSeedError("seed --scale needs an empty database (no LIVCs, no demo data): point DATABASE_URL at a new one.");
  const started = performance.now();
  const counts = countsFor(opts.scale);
  const until = opts.until ?? SCALE_UNTIL;
  const start = dateOfDay(dayNumber(until) - 5 * 365);
  const now = `${until}T12:00:00.000Z`;
  const estimate = counts.audit + counts.cases * 14 + counts.users * 2 + counts.organisations * 2 + counts.livcs * 70 + Math.round(5 * 1500 * opts.scale * 7);
  let done = 0;
  let phase = "register";
  const w = new BulkWriter(ctx.database, (n) => {
    done += n;
    opts.progress?.(Math.min(done, estimate), estimate, phase);
  });
  const rng = new Rng(opts.seed);
  const keyring = await keyringFor(ctx);
  const passwordHash = await hashPassword(SCALE_PASSWORD);
  const structure = await seedStructure(ctx.database, w, rng.fork("structure"), keyring, counts, { passwordHash, totpSecret: SCALE_TOTP_SECRET, now });
  phase = "cases";
  const ids = await seedCases(w, rng.fork("cases"), keyring, structure, { cases: counts.cases, start, until, now });
  phase = "awareness";
  await seedAwareness(w, rng.fork("awareness"), structure, { scale: opts.scale, until, now });
  phase = "audit";
  await seedAudit(ctx.database, w, rng.fork("audit"), structure, ids, { entries: counts.audit, start, until });
  // Caches keyed on the register revision (coverage, maps) must see the new register.
  const revision = await db.selectFrom("registry_revision").select("revision").where("id", "=", "current").executeTakeFirst();
  if (revision) await db.updateTable("registry_revision").set({ revision: revision.revision + 1, changed_at: now }).where("id", "=", "current").execute();
  else await db.insertInto("registry_revision").values({ id: "current", revision: 1, changed_at: now }).execute();
  // PostgreSQL plans from statistics; after a bulk load they are stale until autovacuum gets to
  // them, so refresh them now as an operator would after an import (SQLite plans without them).
  if (ctx.database.dialect === "postgres") await sql`analyze`.execute(db);
  await setMeta(db, "scale_seeded", JSON.stringify({ scale: opts.scale, seed: opts.seed, until }));
  await audit.recordFor(ctx, {}, { action: "seed.scale", resourceType: "database", outcome: "success" });
  opts.progress?.(estimate, estimate, "done");
  return { counts, rows: Object.fromEntries(w.counts), seconds: (performance.now() - started) / 1000 };
}

/** The synthetic account of a role: "chair" of cell n (1-based), "coordinator", "info", or a platform role. */
export function scaleAccount(role: "chair" | "coordinator" | "info" | "admin" | "regional-analyst" | "dpo", livc = 1) {
  const local = role === "chair" || role === "coordinator" || role === "info" ? `${role}-${livc}` : role;
  return { email: `${local}@${SCALE_DOMAIN}`, password: SCALE_PASSWORD, totpSecret: SCALE_TOTP_SECRET };
}
