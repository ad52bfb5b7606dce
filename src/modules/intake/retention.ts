import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { addDays, newId, nowIso, todayInBrussels } from "../../platform/db/values";
import { addMonths, caseRow, registerCasePurger } from "../cases/service";
import { type IntakeRetentionConfig, intakeRetentionConfig } from "./retention-config";
import { type DraftPurgeOutcome, purgeStaleDrafts } from "./retention-drafts";
import * as store from "./store";

/**
 * Retention end of reports (decision 0019). A report past `retention_until` (set at submission:
 * SCHAKEL_RETENTION_YEARS, SCHAKEL_RETENTION_MINOR_YEARS for minors) loses its personal data: the
 * encrypted document (identity or description, observation, reporter's contact), the blind index,
 * the case link and the decision reasons. Dates, status, LIVC and municipality stay. A report taken
 * up as a case follows its case: it goes when the case is purged (registered below, in the case's
 * purge transaction), and is kept while the case is kept, so also under the case's legal hold.
 * Every purge writes report_purge_log and an audit entry: kinds and counts, never content.
 *
 * Decision 0053 adds two terms, both computed at each run from the stored dates (a changed setting
 * counts for every stored record from the next run on): a report screened as "no further action" or
 * "referred" (not taken up) goes SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS after the decision, or at its
 * general term if that is earlier (cause "not_taken_up_end"); a draft nobody saved for
 * SCHAKEL_DRAFT_RETENTION_DAYS is erased altogether (retention-drafts.ts, cause "draft_expired").
 */
export interface ReportPurgeOutcome {
  reportId: string;
  reference: string;
  retentionUntil: string | null;
  removed: Record<string, number>;
}

export interface ReportPurgeReport {
  today: string;
  dryRun: boolean;
  purged: ReportPurgeOutcome[];
  /** Linked to a case under legal hold. */
  held: { reportId: string; reference: string }[];
  /** Linked to a case that is not purged yet: they go with the case. */
  withCase: number;
  /** Drafts past SCHAKEL_DRAFT_RETENTION_DAYS (erased, not kept as a shell). */
  drafts: DraftPurgeOutcome[];
}

/** The effective end of a report's term: the general one, or for a report not taken up the earlier of that and decision + months. */
export function effectiveRetentionEnd(r: Pick<store.PurgeRow, "status" | "case_id" | "decided_at" | "retention_until">, notTakenUpMonths: number): { until: string | null; notTakenUp: boolean } {
  if (!r.decided_at || r.case_id || !store.NOT_TAKEN_UP_STATUSES.includes(r.status)) return { until: r.retention_until, notTakenUp: false };
  const short = addMonths(r.decided_at.slice(0, 10), notTakenUpMonths);
  return !r.retention_until || short < r.retention_until ? { until: short, notTakenUp: true } : { until: r.retention_until, notTakenUp: false };
}

/** Reports decided before this date (exclusive) are past the not-taken-up term on `today`. */
export const notTakenUpBefore = (today: string, months: number) => addDays(addMonths(today, -months), 1);

type Db = Kysely<DB>;

async function removedOf(db: Db, r: store.PurgeRow): Promise<Record<string, number>> {
  return {
    report_content: r.content_enc ? 1 : 0,
    subject_index: r.subject_index ? 1 : 0,
    case_link: r.case_id ? 1 : 0,
    decision_reasons: await store.countReasons(db, r.id),
    supplements: await store.countSupplements(db, r.id),
  };
}

/** Purges one report in the caller's transaction and leaves the proof. */
async function purgeOne(ctx: AppContext, db: Db, who: AuditWho, r: store.PurgeRow, cause: DB["report_purge_log"]["cause"], removed: Record<string, number>) {
  await store.blankReport(db, r.id);
  await store.insertReportPurgeLog(db, { id: newId(), report_id: r.id, reference: r.reference, livc_id: r.livc_id, purged_at: nowIso(), retention_until: r.retention_until, cause, removed: JSON.stringify(removed) });
  await audit.recordFor(ctx, who, { action: "intake.report.purge", resourceType: "report", resourceId: r.id, livcId: r.livc_id, outcome: "success" }, { db });
}

export async function purgeReports(
  ctx: AppContext,
  opts: { dryRun?: boolean; today?: string; who?: AuditWho; terms?: IntakeRetentionConfig } = {},
): Promise<ReportPurgeReport> {
  const today = opts.today ?? todayInBrussels();
  const dryRun = Boolean(opts.dryRun);
  const who = opts.who ?? {};
  const terms = opts.terms ?? intakeRetentionConfig();
  const db = ctx.database.db;
  const out: ReportPurgeReport = { today, dryRun, purged: [], held: [], withCase: 0, drafts: [] };
  for (const r of await store.reportPurgeCandidates(db, today, notTakenUpBefore(today, terms.notTakenUpMonths))) {
    if (r.case_id) {
      const c = await caseRow(ctx, r.case_id);
      if (c && c.status !== "purged") {
        if (c.legal_hold_at !== null) out.held.push({ reportId: r.id, reference: r.reference });
        else out.withCase++;
        continue;
      }
    }
    const removed = await removedOf(db, r);
    const end = effectiveRetentionEnd(r, terms.notTakenUpMonths);
    out.purged.push({ reportId: r.id, reference: r.reference, retentionUntil: end.until, removed });
    if (dryRun) continue;
    await db.transaction().execute((trx) => purgeOne(ctx, trx, who, { ...r, retention_until: end.until }, end.notTakenUp ? "not_taken_up_end" : "retention_end", removed));
  }
  out.drafts = await purgeStaleDrafts(ctx, { today, dryRun, who, days: terms.draftDays });
  return out;
}

/**
 * Early erasure of a report its reporter withdrew as "about the wrong person" (decision 0048): the
 * same purge as at retention end, with its log and audit entry, in the caller's transaction.
 */
export async function purgeWithdrawnReport(ctx: AppContext, db: Db, who: AuditWho, reportId: string): Promise<void> {
  const r = await db.selectFrom("report").select(["id", "reference", "livc_id", "status", "retention_until", "case_id", "subject_index", "content_enc", "decided_at"]).where("id", "=", reportId).where("purged_at", "is", null).executeTakeFirst();
  if (r) await purgeOne(ctx, db, who, r, "withdrawn_wrong_person", await removedOf(db, r));
}

export async function reportPurgeLog(ctx: AppContext) {
  return (await store.reportPurgeLog(ctx.database.db)).map((r) => ({ ...r, removed: JSON.parse(r.removed) as Record<string, number> }));
}

// When a case is purged, the report it was taken up from goes in the same transaction.
registerCasePurger({
  name: "report",
  count: async (ctx, caseId) => (await store.unpurgedReportsOfCase(ctx.database.db, caseId)).length,
  purge: async (ctx, db, caseId) => {
    for (const r of await store.unpurgedReportsOfCase(db, caseId)) await purgeOne(ctx, db, {}, r, "case_purged", await removedOf(db, r));
  },
});
