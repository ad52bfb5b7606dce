import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import type { Actor } from "../../platform/policy/actor";
import {
  caseForLinkedRectify,
  checkIdentityInput,
  type CorrectedIdentity,
  type IdentityInput,
  type LinkedRecord,
  RectifyInvalid,
  type RectifyReason,
  registerLinkedRecords,
  registerRectifiable,
  writeCaseIdentity,
} from "../cases/service";
import { keysReady, openReportContent, sealReportContent, subjectIndexOf } from "./personal";
import { canScreen, type ReportRef } from "./policy";
import { regionalScopeOf } from "./screening";
import * as store from "./store";
import { extend } from "../../platform/objects";

/**
 * Rectification (GDPR art. 16) of the person a report names (decision 0046): name and date of birth
 * in the report's encrypted document, the rest of the document unchanged, and the blind index
 * recomputed so the duplicate hint and subject access find the person under the corrected data.
 * Who may: whoever may screen the report (its LIVC's coordinator and information officer, a regional
 * contact for a regional report) and the data-protection officer. The document, a content-free
 * history line ("identity corrected", the reason code in its name) and the audit entry commit
 * together. A draft is the reporter's own; a purged report has nothing left; a report that names
 * nobody (identity unknown) has no identity to correct.
 */
export type ReportRectifyRefusal = "not_found" | "forbidden" | "wrong_status";
export class ReportRectifyError extends Error {
  constructor(readonly code: ReportRectifyRefusal) {
    super(code);
  }
}

const refOf = (r: store.ReportRow): ReportRef => ({ livcId: r.livc_id, reporterUserId: r.reporter_user_id, regionalQueue: r.regional_queue });

async function rectifiable(ctx: AppContext, who: AuditWho & { actor: Actor }, id: string, action: string): Promise<store.ReportRow> {
  const report = await store.reportById(ctx.database.db, id);
  if (!report || report.status === "draft") throw new ReportRectifyError("not_found");
  const may = who.actor.isDpo || canScreen(who.actor, refOf(report), await regionalScopeOf(ctx, who.actor));
  if (!may) {
    await audit.recordFor(ctx, who, { action, resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "denied" });
    throw new ReportRectifyError("forbidden");
  }
  if (report.purged_at !== null || report.identity_known !== 1) throw new ReportRectifyError("wrong_status");
  return report;
}

export interface ReportIdentityForEdit {
  id: string;
  reference: string;
  livcId: string | null;
  fullName: string;
  dateOfBirth: string;
  /** The case this report became (its label), and whether this actor may correct it with the report (decision 0050). */
  linkedCase: { label: string; state: LinkedRecord["state"] } | null;
}

/** The form's current values, read through intake's personal-data door (audited). */
export async function reportIdentityForEdit(ctx: AppContext, who: AuditWho & { actor: Actor }, id: string): Promise<ReportIdentityForEdit> {
  const report = await rectifiable(ctx, who, id, "intake.report.identity.read");
  const content = await openReportContent(ctx, who, { id, livcId: report.livc_id, allowed: true, contentEnc: report.content_enc });
  await audit.recordFor(ctx, who, { action: "intake.report.identity.read", resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "success" });
  const linked = report.case_id ? await caseForLinkedRectify(ctx, who, report.case_id) : null;
  return { id, reference: report.reference, livcId: report.livc_id, fullName: content.subjectName, dateOfBirth: content.subjectBirthDate, linkedCase: linked ? { label: linked.label, state: linked.state } : null };
}

/**
 * Writes a report's corrected name and birth date inside the caller's transaction: the document
 * re-read (only the identity changes), sealed, the blind index, a content-free history line and the
 * audit entry. The caller checked who may. Returns false when the report was purged meanwhile.
 */
async function writeReportIdentity(ctx: AppContext, who: AuditWho, id: string, identity: { fullName: string; dateOfBirth: string; reason: RectifyReason }, trx: Kysely<DB>): Promise<boolean> {
  const current = await store.reportById(trx, id);
  if (!current || current.purged_at !== null || current.identity_known !== 1) return false;
  await keysReady(ctx);
  const subjectIndex = await subjectIndexOf(ctx, identity.fullName, identity.dateOfBirth);
  const content = await openReportContent(ctx, who, { id, livcId: current.livc_id, allowed: true, contentEnc: current.content_enc, db: trx });
  const sealed = await sealReportContent(ctx, who, { id, livcId: current.livc_id, allowed: true, db: trx }, extend(content, { subjectName: identity.fullName, subjectBirthDate: identity.dateOfBirth }));
  await store.updateReport(trx, id, { content_enc: sealed, subject_index: subjectIndex });
  await store.insertEvent(trx, {
    report_id: id,
    actor_id: who.actor?.userId ?? null,
    transition: `identity_corrected.${identity.reason}`,
    from_status: current.status,
    to_status: current.status,
    referral_service: null,
    reason_enc: null,
  });
  await audit.recordFor(ctx, who, { action: "intake.report.rectify", resourceType: "report", resourceId: id, livcId: current.livc_id, outcome: "success" }, { db: trx });
  return true;
}

/**
 * Saves the corrected name and birth date; every other part of the document stays as it was. With
 * `alsoCase`, the case the report became is corrected in the same transaction when this actor may
 * correct it (its own rule: chair, coordinator, DPO), with its own event and audit entry.
 */
export async function rectifyReportIdentity(ctx: AppContext, who: AuditWho & { actor: Actor }, id: string, input: IdentityInput, opts: { alsoCase?: boolean } = {}): Promise<{ caseLabel: string | null }> {
  const report = await rectifiable(ctx, who, id, "intake.report.rectify");
  const errors = checkIdentityInput(input, { requireDateOfBirth: true });
  if (Object.keys(errors).length > 0) throw new RectifyInvalid(errors);
  const identity = { fullName: input.fullName.trim(), dateOfBirth: input.dateOfBirth.trim(), reason: input.reason as RectifyReason };
  const linked = opts.alsoCase && report.case_id ? await caseForLinkedRectify(ctx, who, report.case_id) : null;
  const withCase = linked?.state === "ok" ? linked : null;
  await keysReady(ctx);
  await ctx.database.db.transaction().execute(async (trx) => {
    await writeReportIdentity(ctx, who, id, identity, trx);
    if (withCase) await writeCaseIdentity(ctx, who, withCase.row, identity, trx);
  });
  return { caseLabel: withCase?.label ?? null };
}

// A case's correction form offers the report(s) it was taken up from (decision 0050): each one this
// actor may screen (or the DPO) is corrected in the case's transaction.
registerLinkedRecords({
  name: "report",
  list: async (ctx, who, caseId) => {
    const rows = await ctx.database.db
      .selectFrom("report")
      .select(["id", "reference", "livc_id", "reporter_user_id", "regional_queue", "purged_at", "identity_known", "status"])
      .where("case_id", "=", caseId)
      .where("status", "!=", "draft")
      .orderBy("submitted_at")
      .execute();
    const actor = who.actor ?? null;
    const scope = actor ? await regionalScopeOf(ctx, actor) : null;
    return rows.map((r): LinkedRecord => {
      const may = Boolean(actor && (actor.isDpo || canScreen(actor, { livcId: r.livc_id, reporterUserId: r.reporter_user_id, regionalQueue: r.regional_queue }, scope)));
      const state = r.purged_at !== null || r.identity_known !== 1 ? "nothing" : may ? "ok" : "not_allowed";
      return { kind: "report", id: r.id, name: r.reference, state, needsDateOfBirth: true };
    });
  },
  write: async (ctx, who, ids, identity: CorrectedIdentity, trx) => {
    for (const id of ids) await writeReportIdentity(ctx, who, id, extend(identity, { dateOfBirth: identity.dateOfBirth ?? "" }), trx);
  },
});

// The DPO finds a person's reports (not drafts, not purged, naming someone) by the blind index.
registerRectifiable({
  name: "report",
  find: async (ctx, subjectIndex) =>
    (
      await ctx.database.db
        .selectFrom("report")
        .select(["id", "reference", "livc_id"])
        .where("subject_index", "=", subjectIndex)
        .where("status", "!=", "draft")
        .where("purged_at", "is", null)
        .orderBy("submitted_at")
        .execute()
    ).map((r) => ({ kind: "report", name: r.reference, livcId: r.livc_id, href: `/screening/${r.id}/identity` })),
});
