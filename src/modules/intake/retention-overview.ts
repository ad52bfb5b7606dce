import { sql } from "kysely";
import type { AppContext } from "../../platform/context";
import { brusselsDayStart, toCount } from "../../platform/db/values";
import { notTakenUpBefore } from "./retention";
import { intakeRetentionConfig } from "./retention-config";
import { NOT_TAKEN_UP_STATUSES } from "./store";

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
    // A Belgian day: from 00:00 in Brussels (timestamps are UTC).
    return f.since ? q.where("purged_at", ">=", brusselsDayStart(f.since)) : q;
  };
  const total = toCount((await base().select((eb) => eb.fn.countAll().as("n")).executeTakeFirst())?.n);
  const rows = await base().selectAll().orderBy("purged_at", "desc").orderBy("id", "desc").limit(f.limit).offset(f.offset).execute();
  return {
    total,
    rows: rows.map((r) => ({ id: r.id, reportId: r.report_id, reference: r.reference, livcId: r.livc_id, purgedAt: r.purged_at, retentionUntil: r.retention_until, cause: r.cause, removed: JSON.parse(r.removed) as Record<string, number> })),
  };
}

/**
 * Reports without a case, not purged, whose retention ends by each horizon; per LIVC (null: the regional
 * queue). A report not taken up counts by the earlier of its general term and its decision plus
 * SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS (decision 0053), the same rule as the purge.
 */
export async function reportPurgesDue(ctx: AppContext, by30: string, by90: string, months = intakeRetentionConfig().notTakenUpMonths): Promise<Map<string | null, { due30: number; due90: number }>> {
  const before30 = notTakenUpBefore(by30, months);
  const before90 = notTakenUpBefore(by90, months);
  const notTakenUp = sql<boolean>`status in (${sql.join(NOT_TAKEN_UP_STATUSES)}) and decided_at is not null`;
  const due30 = sql<number>`case when retention_until <= ${by30} or (${notTakenUp} and decided_at < ${before30}) then 1 else 0 end`;
  const open = () => ctx.database.db.selectFrom("report").where("purged_at", "is", null).where("status", "!=", "draft").where("case_id", "is", null);
  // Two disjoint parts, each read from its own index (issue 9: one query with the OR read all 130,000
  // reports at scale, ~340 ms): by the general term (report_retention), and not taken up, decided before
  // the cut-off, not already counted by the general term (report_status_decided).
  const [byTerm, byDecision] = await Promise.all([
    open().select(["livc_id", due30.as("due30")]).where("retention_until", "<=", by90).execute(),
    open()
      .select(["livc_id", sql<number>`sum(${due30})`.as("due30"), (eb) => eb.fn.countAll().as("due90")])
      .where("status", "in", [...NOT_TAKEN_UP_STATUSES])
      .where("decided_at", "is not", null)
      .where("decided_at", "<", before90)
      .where((eb) => eb.or([eb("retention_until", "is", null), eb("retention_until", ">", by90)]))
      .groupBy("livc_id")
      .execute(),
  ]);
  const out = new Map<string | null, { due30: number; due90: number }>();
  const add = (livc: string | null, d30: number, d90: number) => {
    const c = out.get(livc) ?? { due30: 0, due90: 0 };
    out.set(livc, { due30: c.due30 + d30, due90: c.due90 + d90 });
  };
  for (const r of byTerm) add(r.livc_id, toCount(r.due30), 1);
  for (const r of byDecision) add(r.livc_id, toCount(r.due30), toCount(r.due90));
  return out;
}
