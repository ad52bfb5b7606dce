import { sql } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { addDays, brusselsDayStart, todayInBrussels, toCount } from "../../platform/db/values";
import { listLivcs } from "../registry/service";
import * as pd from "./personal";
import { extend } from "../../platform/objects";

/**
 * The DPO's view of retention (decision 0046): the proof of each case purge, newest first, with what
 * was removed as kinds and counts (never content), and per LIVC as COUNTS only: cases whose retention
 * ends within 30 and 90 days (closed, not on legal hold: the purge will take them) and cases under
 * legal hold. The log names a case by its pseudonymous label (the proof must answer "was this case
 * purged?"); the overview names no case at all.
 */
export interface CasePurgeLogRow {
  id: string;
  caseId: string;
  label: string;
  livcId: string;
  purgedAt: string;
  retentionUntil: string;
  removed: Record<string, number>;
}

export async function casePurgeLogPage(ctx: AppContext, f: { since?: string; limit: number; offset: number }): Promise<{ rows: CasePurgeLogRow[]; total: number }> {
  const db = ctx.database.db;
  const base = () => {
    const q = db.selectFrom("case_purge_log");
    // A Belgian day: from 00:00 in Brussels (timestamps are UTC).
    return f.since ? q.where("purged_at", ">=", brusselsDayStart(f.since)) : q;
  };
  const total = toCount((await base().select((eb) => eb.fn.countAll().as("n")).executeTakeFirst())?.n);
  const rows = await base().selectAll().orderBy("purged_at", "desc").orderBy("id", "desc").limit(f.limit).offset(f.offset).execute();
  return {
    total,
    rows: rows.map((r) => ({ id: r.id, caseId: r.case_id, label: r.label, livcId: r.livc_id, purgedAt: r.purged_at, retentionUntil: r.retention_until, removed: JSON.parse(r.removed) as Record<string, number> })),
  };
}

export interface RetentionCounts {
  cases30: number;
  cases90: number;
  held: number;
  reports30: number;
  reports90: number;
}

/**
 * Cases per LIVC: purge due by each horizon, and under legal hold. Two reads, each from its own index
 * (issue 9: one query with an OR read all 100,000 cases at scale): closed cases by retention end
 * (case_file_closed_retention) and cases under legal hold (case_file_legal_hold, partial).
 */
async function casesDue(ctx: AppContext, by30: string, by90: string) {
  const db = ctx.database.db;
  const [due, held] = await Promise.all([
    db
      .selectFrom("case_file")
      .select(["livc_id", sql<number>`count(case when retention_until <= ${by30} then 1 end)`.as("due30"), (eb) => eb.fn.countAll().as("due90")])
      .where("status", "=", "closed")
      .where("retention_until", "<=", by90)
      .where("legal_hold_at", "is", null)
      .groupBy("livc_id")
      .execute(),
    db.selectFrom("case_file").select("livc_id").where("legal_hold_at", "is not", null).where("status", "!=", "purged").execute(),
  ]);
  const out = new Map<string, { due30: number; due90: number; held: number }>();
  for (const r of due) out.set(r.livc_id, { due30: toCount(r.due30), due90: toCount(r.due90), held: 0 });
  for (const r of held) {
    const c = out.get(r.livc_id) ?? { due30: 0, due90: 0, held: 0 };
    out.set(r.livc_id, extend(c, { held: c.held + 1 }));
  }
  return out;
}

export interface RetentionOverviewRow extends RetentionCounts {
  /** null: reports of the regional queue (no LIVC). */
  livcId: string | null;
  livcName: string | null;
}

/**
 * Per LIVC (by name; only LIVCs with something to count: the page says the others have none) and the
 * regional queue when it has reports due. reportsDue comes from intake (retention-overview.ts), passed in by the page.
 */
export async function retentionOverview(
  ctx: AppContext,
  reportsDue: (by30: string, by90: string) => Promise<Map<string | null, { due30: number; due90: number }>>,
  today = todayInBrussels(),
): Promise<{ today: string; rows: RetentionOverviewRow[] }> {
  const by30 = addDays(today, 30);
  const by90 = addDays(today, 90);
  const [cases, reports, livcs] = await Promise.all([casesDue(ctx, by30, by90), reportsDue(by30, by90), listLivcs(ctx.database.db)]);
  const rows: RetentionOverviewRow[] = livcs
    .map((l) => {
      const c = cases.get(l.id);
      const r = reports.get(l.id);
      return { livcId: l.id, livcName: l.name, cases30: c?.due30 ?? 0, cases90: c?.due90 ?? 0, held: c?.held ?? 0, reports30: r?.due30 ?? 0, reports90: r?.due90 ?? 0 };
    })
    .filter((r) => r.cases90 + r.held + r.reports90 > 0)
    .sort((a, b) => a.livcName.localeCompare(b.livcName, "nl"));
  const regional = reports.get(null);
  if (regional) rows.push({ livcId: null, livcName: null, cases30: 0, cases90: 0, held: 0, reports30: regional.due30, reports90: regional.due90 });
  return { today, rows };
}

/** The DPO's look at the retention page is logged (no content: the page holds none). */
export const recordRetentionView = (ctx: AppContext, who: AuditWho) => pd.record(ctx, who, { type: "retention", id: "overview", livcId: null }, "retention.view");
