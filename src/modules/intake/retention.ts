import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { addDays, newId, nowIso, todayInBrussels } from "../../platform/db/values";
import { addMonths, caseRow, registerCasePurger } from "../cases/service";
import { type IntakeRetentionConfig, intakeRetentionConfig } from "./retention-config";
import { type DraftPurgeOutcome, purgeStaleDrafts } from "./retention-drafts";
import * as store from "./store";
import { extend } from "../../platform/objects";

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
  /** Candidates that changed between the run's read and their turn (joined to a case, decided again, purged by another run): left alone. */
  skipped: { reportId: string; reference: string }[];
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

type Cause = DB["report_purge_log"]["cause"];
/** The cause and the term the purge log records, from the report as read after the claim. */
type Why = (r: store.PurgeRow) => { cause: Cause; until: string | null };

/**
 * Purges one report in the caller's transaction and leaves the proof. It first claims the report
 * (decision 0065: with the retention run's rule when given, else "not purged yet"), then reads it
 * again and counts what goes: when the claim changes no row nothing is blanked, logged or audited.
 */
async function purgeOne(ctx: AppContext, db: Db, who: AuditWho, id: string, why: Why, rule?: Parameters<typeof store.claimReportForPurge>[2]) {
  if (!(await store.claimReportForPurge(db, id, rule))) return null;
  const r = await store.purgeRowById(db, id);
  const removed = await removedOf(db, r);
  const { cause, until } = why(r);
  await store.blankReport(db, r.id);
  await store.insertReportPurgeLog(db, { id: newId(), report_id: r.id, reference: r.reference, livc_id: r.livc_id, purged_at: nowIso(), retention_until: until, cause, removed: JSON.stringify(removed) });
  await audit.recordFor(ctx, who, { action: "intake.report.purge", resourceType: "report", resourceId: r.id, livcId: r.livc_id, outcome: "success" }, { db });
  return { until, removed };
}

const fixedCause = (cause: Cause): Why => (r) => ({ cause, until: r.retention_until });

export async function purgeReports(
  ctx: AppContext,
  opts: { dryRun?: boolean; today?: string; who?: AuditWho; terms?: IntakeRetentionConfig } = {},
): Promise<ReportPurgeReport> {
  const today = opts.today ?? todayInBrussels();
  const dryRun = Boolean(opts.dryRun);
  const who = opts.who ?? {};
  const terms = opts.terms ?? intakeRetentionConfig();
  const db = ctx.database.db;
  const out: ReportPurgeReport = { today, dryRun, purged: [], held: [], withCase: 0, drafts: [], skipped: [] };
  for (const r of await store.reportPurgeCandidates(db, today, notTakenUpBefore(today, terms.notTakenUpMonths))) {
    const done = await purgeReportCandidate(ctx, r, { today, terms, who, dryRun });
    if (done.kind === "purged") out.purged.push(done.outcome);
    else if (done.kind === "held") out.held.push({ reportId: r.id, reference: r.reference });
    else if (done.kind === "with_case") out.withCase++;
    else out.skipped.push({ reportId: r.id, reference: r.reference });
  }
  out.drafts = await purgeStaleDrafts(ctx, { today, dryRun, who, days: terms.draftDays });
  return out;
}

/** What became of one candidate: purged, kept by its case (legal hold, or the case is kept), or skipped because it changed meanwhile. */
export type CandidateResult = { kind: "purged"; outcome: ReportPurgeOutcome } | { kind: "held" } | { kind: "with_case" } | { kind: "skipped" };

/**
 * Purges ONE candidate (a row the run read, possibly some time ago) in its own transaction; the run
 * calls it for every candidate. The decision is taken again inside the transaction (decision 0065):
 * the claim holds only while the report is still due on `today`, not purged, and linked as checked
 * here (no case, or a case already purged). A dry run only says what would go.
 */
export async function purgeReportCandidate(
  ctx: AppContext,
  r: store.PurgeRow,
  opts: { today: string; terms: IntakeRetentionConfig; who?: AuditWho; dryRun?: boolean },
): Promise<CandidateResult> {
  const db = ctx.database.db;
  const months = opts.terms.notTakenUpMonths;
  if (r.case_id) {
    const c = await caseRow(ctx, r.case_id);
    if (c && c.status !== "purged") return c.legal_hold_at !== null ? { kind: "held" } : { kind: "with_case" };
  }
  if (opts.dryRun) {
    const end = effectiveRetentionEnd(r, months);
    return { kind: "purged", outcome: { reportId: r.id, reference: r.reference, retentionUntil: end.until, removed: await removedOf(db, r) } };
  }
  const why: Why = (fresh) => {
    const end = effectiveRetentionEnd(fresh, months);
    return { cause: end.notTakenUp ? "not_taken_up_end" : "retention_end", until: end.until };
  };
  const rule = { today: opts.today, notTakenUpBefore: notTakenUpBefore(opts.today, months), caseId: r.case_id };
  const done = await db.transaction().execute((trx) => purgeOne(ctx, trx, opts.who ?? {}, r.id, why, rule));
  if (!done) return { kind: "skipped" };
  return { kind: "purged", outcome: { reportId: r.id, reference: r.reference, retentionUntil: done.until, removed: done.removed } };
}

/**
 * Early erasure of a report its reporter withdrew as "about the wrong person" (decision 0048): the
 * same purge as at retention end, with its log and audit entry, in the caller's transaction.
 */
export async function purgeWithdrawnReport(ctx: AppContext, db: Db, who: AuditWho, reportId: string): Promise<void> {
  await purgeOne(ctx, db, who, reportId, fixedCause("withdrawn_wrong_person"));
}

export async function reportPurgeLog(ctx: AppContext) {
  return (await store.reportPurgeLog(ctx.database.db)).map((r) => extend(r, { removed: JSON.parse(r.removed) as Record<string, number> }));
}

// When a case is purged, the report it was taken up from goes in the same transaction.
registerCasePurger({
  name: "report",
  count: async (ctx, caseId) => (await store.unpurgedReportsOfCase(ctx.database.db, caseId)).length,
  purge: async (ctx, db, caseId) => {
    for (const r of await store.unpurgedReportsOfCase(db, caseId)) await purgeOne(ctx, db, {}, r.id, fixedCause("case_purged"));
  },
});
