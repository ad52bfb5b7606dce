import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { addDays, newId, nowIso } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import type { ReportPurgeCause } from "./migrations";
import { isOwnReport } from "./policy";
import * as store from "./store";

/**
 * Drafts (decision 0053). A draft is the reporter's own unfinished report: nobody else has seen it,
 * it is in no queue and no count. Before, it was kept for ever. Now:
 * - the reporter discards it (/reports/:reference/discard, a confirmation page and a CSRF form), and
 * - the daily purge erases drafts nobody saved for SCHAKEL_DRAFT_RETENTION_DAYS (cause draft_expired).
 * Both DELETE the row (no shell is kept: a draft has no status history, alerts or supplements), write
 * the proof to report_purge_log (reference, kinds and counts, no LIVC: a draft is not routed yet) and
 * an audit entry, in one transaction.
 */
export interface DraftPurgeOutcome {
  reportId: string;
  reference: string;
  /** The last save (ISO timestamp). */
  lastSaved: string;
}

type Db = Kysely<DB>;
type DraftRow = { id: string; reference: string; content_enc: string };

async function eraseDraft(ctx: AppContext, db: Db, who: AuditWho, d: DraftRow, cause: ReportPurgeCause, action: string): Promise<boolean> {
  if (!(await store.deleteDraft(db, d.id))) return false;
  const removed = { report_content: d.content_enc ? 1 : 0 };
  await store.insertReportPurgeLog(db, { id: newId(), report_id: d.id, reference: d.reference, livc_id: null, purged_at: nowIso(), retention_until: null, cause, removed: JSON.stringify(removed) });
  await audit.recordFor(ctx, who, { action, resourceType: "report", resourceId: d.id, outcome: "success" }, { db });
  return true;
}

/** Erases the drafts last saved more than `days` days before `today` (each in its own transaction). */
export async function purgeStaleDrafts(ctx: AppContext, opts: { today: string; days: number; dryRun?: boolean; who?: AuditWho }): Promise<DraftPurgeOutcome[]> {
  const db = ctx.database.db;
  const out: DraftPurgeOutcome[] = [];
  // "Untouched for N days": the last save was before the start of the day N days ago.
  for (const d of await store.staleDrafts(db, addDays(opts.today, -opts.days + 1))) {
    if (opts.dryRun) {
      out.push({ reportId: d.id, reference: d.reference, lastSaved: d.updated_at });
      continue;
    }
    // Saved again meanwhile? deleteDraft only takes a draft; the age is checked again inside the transaction.
    const gone = await db.transaction().execute(async (trx) => {
      const now = await store.reportById(trx, d.id);
      if (now?.status !== "draft" || now.updated_at !== d.updated_at) return false;
      return eraseDraft(ctx, trx, opts.who ?? {}, now, "draft_expired", "intake.report.draft.purge");
    });
    if (gone) out.push({ reportId: d.id, reference: d.reference, lastSaved: d.updated_at });
  }
  return out;
}

/** The draft behind a reference: `own` when it is the asker's, `foreign` when it is someone else's draft. */
async function draftOf(ctx: AppContext, actor: Actor, reference: string): Promise<{ own?: store.ReportRow; foreign?: store.ReportRow }> {
  const row = await store.reportByReference(ctx.database.db, reference);
  if (row?.status !== "draft") return {};
  return isOwnReport(actor, { livcId: row.livc_id, reporterUserId: row.reporter_user_id, regionalQueue: row.regional_queue }) ? { own: row } : { foreign: row };
}

/** For the confirmation page: the reference and last save of the asker's own draft, else null (404). */
export async function draftToDiscard(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string): Promise<{ reference: string; lastSaved: string } | null> {
  const { own, foreign } = await draftOf(ctx, who.actor, reference);
  if (foreign) await audit.recordFor(ctx, who, { action: "intake.report.draft.discard", resourceType: "report", resourceId: foreign.id, outcome: "denied" });
  return own ? { reference: own.reference, lastSaved: own.updated_at } : null;
}

/**
 * The reporter discards their own draft: the row and its encrypted content are deleted, with the proof
 * and the audit entry in the same transaction. Someone else's draft, a submitted report or an unknown
 * reference: "not_found" (a denial is audited when the draft exists but is not the asker's).
 */
export async function discardDraft(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string): Promise<"ok" | "not_found"> {
  const { own, foreign } = await draftOf(ctx, who.actor, reference);
  if (foreign) await audit.recordFor(ctx, who, { action: "intake.report.draft.discard", resourceType: "report", resourceId: foreign.id, outcome: "denied" });
  if (!own) return "not_found";
  const done = await ctx.database.db.transaction().execute((trx) => eraseDraft(ctx, trx, who, own, "draft_discarded", "intake.report.draft.discard"));
  return done ? "ok" : "not_found";
}
