import type { Kysely, NotNull } from "kysely";
import type { SchakelMigration } from "./db/migrate";
import type { DB } from "./db/schema";
import { newId, nowIso } from "./db/values";

/**
 * The daily jobs' claims (decision 0069): one row per Belgian day. The instance whose insert creates the
 * day's row runs that day's jobs; every other instance (several on one PostgreSQL) or a second timer sees
 * the row and does nothing. The runner beats `heartbeat_at` every minute; a `running` row whose heartbeat
 * is older than STALE_CLAIM_MINUTES belongs to a process that died, and the next attempt takes it over.
 * The rows are also the record of the runs that lastDailyRun reads.
 */
export const dailyRunMigrations: SchakelMigration[] = [
  {
    name: "2026122110_platform_daily_job_run",
    async up(db) {
      await db.schema
        .createTable("daily_job_run")
        .addColumn("day", "text", (c) => c.primaryKey())
        .addColumn("instance", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("heartbeat_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .addColumn("failed", "text")
        .execute();
    },
  },
  {
    // Decision 0069, amended: the meta row daily_jobs_last_run said what daily_job_run says. A database whose
    // last run came before the table keeps that run as its day's row (a day the table has stays as it is).
    name: "2026123010_platform_daily_last_run_into_table",
    async up(db) {
      const meta = await db.selectFrom("app_meta").select("value").where("key", "=", LEGACY_META_KEY).executeTakeFirst();
      const run = meta ? legacyRun(meta.value) : null;
      if (run) await db.insertInto("daily_job_run").values(run).onConflict((oc) => oc.column("day").doNothing()).execute();
      await db.deleteFrom("app_meta").where("key", "=", LEGACY_META_KEY).execute();
    },
  },
];

const LEGACY_META_KEY = "daily_jobs_last_run";

/** The meta row's JSON ({started, finished, today, failed}) as a finished day's row; null when it says no usable time. */
function legacyRun(raw: string) {
  let r: { started?: unknown; finished?: unknown; today?: unknown; failed?: unknown };
  try {
    r = JSON.parse(raw);
  } catch {
    return null;
  }
  const started = Date.parse(String(r.started));
  const finished = Date.parse(String(r.finished));
  if (Number.isNaN(started) || Number.isNaN(finished) || typeof r.today !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(r.today)) return null;
  const failed = Array.isArray(r.failed) && r.failed.length > 0 ? r.failed.map(String).join(",") : null;
  const end = new Date(finished).toISOString();
  return { day: r.today, instance: LEGACY_META_KEY, status: "done" as const, started_at: new Date(started).toISOString(), heartbeat_at: end, finished_at: end, failed };
}

export type DailyRunStatus = "running" | "done";

declare module "./db/schema" {
  interface DB {
    daily_job_run: { day: string; instance: string; status: DailyRunStatus; started_at: string; heartbeat_at: string; finished_at: string | null; failed: string | null };
  }
}

/** This process, as named in the claims it makes. */
export const INSTANCE_ID = newId();

/** A running claim whose heartbeat is older than this belongs to a process that stopped. */
export const STALE_CLAIM_MINUTES = 10;

/**
 * Claims the day's run: "claimed" (a new row, or a stale one taken over), "busy" (another instance is
 * running it now) or "done" (it ran already). Each is one statement whose changed-row count decides.
 */
export async function claimDailyRun(db: Kysely<DB>, day: string, now = new Date(), instance = INSTANCE_ID): Promise<"claimed" | "busy" | "done"> {
  const at = now.toISOString();
  const inserted = await db
    .insertInto("daily_job_run")
    .values({ day, instance, status: "running", started_at: at, heartbeat_at: at, finished_at: null, failed: null })
    .onConflict((oc) => oc.column("day").doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return "claimed";
  const stale = new Date(now.getTime() - STALE_CLAIM_MINUTES * 60_000).toISOString();
  const taken = await db
    .updateTable("daily_job_run")
    .set({ instance, started_at: at, heartbeat_at: at })
    .where("day", "=", day)
    .where("status", "=", "running")
    .where("heartbeat_at", "<", stale)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 1) return "claimed";
  const row = await db.selectFrom("daily_job_run").select("status").where("day", "=", day).executeTakeFirst();
  return row?.status === "done" ? "done" : "busy";
}

/** The claimant says it is alive (only while the claim is still its own). */
export async function beatDailyRun(db: Kysely<DB>, day: string, instance = INSTANCE_ID, now = nowIso()) {
  await db.updateTable("daily_job_run").set({ heartbeat_at: now }).where("day", "=", day).where("instance", "=", instance).where("status", "=", "running").execute();
}

export async function finishDailyRun(db: Kysely<DB>, day: string, failed: string[], instance = INSTANCE_ID) {
  const at = nowIso();
  await db
    .updateTable("daily_job_run")
    .set({ status: "done", finished_at: at, heartbeat_at: at, failed: failed.length > 0 ? failed.join(",") : null })
    .where("day", "=", day)
    .where("instance", "=", instance)
    .execute();
}

/** The last run that finished: its Belgian day, start and end (ISO instants) and the modules whose jobs failed. */
export type DailyRun = { day: string; startedAt: string; finishedAt: string; failed: string[] };

/**
 * The newest finished run, or null when none finished yet: the one reader of daily_job_run for the catch-up at
 * start, /retention and `schakel doctor`. A `running` day is left out: it may be one that died half-way,
 * and until another attempt finishes it the jobs have not run that day.
 */
export async function lastDailyRun(db: Kysely<DB>): Promise<DailyRun | null> {
  const row = await db
    .selectFrom("daily_job_run")
    .select(["day", "started_at", "finished_at", "failed"])
    .where("status", "=", "done")
    .orderBy("day", "desc")
    .limit(1)
    .$narrowType<{ finished_at: NotNull }>()
    .executeTakeFirst();
  if (!row) return null;
  return { day: row.day, startedAt: row.started_at, finishedAt: row.finished_at, failed: row.failed ? row.failed.split(",") : [] };
}
