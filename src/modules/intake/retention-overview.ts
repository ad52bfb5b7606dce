import { sql } from "kysely";
import type { AppContext } from "../../platform/context";
import { toCount } from "../../platform/db/values";

/**
 * The reports' side of the DPO's retention page and of `schakel purge log` (cases/retention-page.tsx):
 * the proof of each report purge (reference, dates, cause, kinds and counts removed) and, per LIVC,
 * how many reports reach their retention end soon. A report taken up as a case goes with its case, so
 * only reports without a case are counted here (the case counts cover the others).
 */
export interface ReportPurgeLogRow {
  id: string;
  reportId: string;
  reference: string;
  livcId: string | null;
  purgedAt: string;
  retentionUntil: string | null;
  cause: string;
  removed: Record<string, number>;
}

export async function reportPurgeLogPage(ctx: AppContext, f: { since?: string; limit: number; offset: number }): Promise<{ rows: ReportPurgeLogRow[]; total: number }> {
  const db = ctx.database.db;
  const base = () => {
    const q = db.selectFrom("report_purge_log");
    return f.since ? q.where("purged_at", ">=", f.since) : q;
  };
  const total = toCount((await base().select((eb) => eb.fn.countAll().as("n")).executeTakeFirst())?.n);
  const rows = await base().selectAll().orderBy("purged_at", "desc").orderBy("id", "desc").limit(f.limit).offset(f.offset).execute();
  return {
    total,
    rows: rows.map((r) => ({ id: r.id, reportId: r.report_id, reference: r.reference, livcId: r.livc_id, purgedAt: r.purged_at, retentionUntil: r.retention_until, cause: r.cause, removed: JSON.parse(r.removed) as Record<string, number> })),
  };
}

/** Reports without a case, not purged, whose retention ends by each horizon; per LIVC (null: the regional queue). */
export async function reportPurgesDue(ctx: AppContext, by30: string, by90: string): Promise<Map<string | null, { due30: number; due90: number }>> {
  const rows = await ctx.database.db
    .selectFrom("report")
    .select(["livc_id", sql<number>`count(case when retention_until <= ${by30} then 1 end)`.as("due30"), (eb) => eb.fn.countAll().as("due90")])
    .where("purged_at", "is", null)
    .where("status", "!=", "draft")
    .where("case_id", "is", null)
    .where("retention_until", "is not", null)
    .where("retention_until", "<=", by90)
    .groupBy("livc_id")
    .execute();
  return new Map(rows.map((r) => [r.livc_id, { due30: toCount(r.due30), due90: toCount(r.due90) }]));
}
