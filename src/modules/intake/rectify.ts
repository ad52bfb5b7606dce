import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { Actor } from "../../platform/policy/actor";
import { checkIdentityInput, type IdentityInput, RectifyInvalid, registerRectifiable } from "../cases/service";
import { keysReady, openReportContent, sealReportContent, subjectIndexOf } from "./personal";
import { canScreen, type ReportRef } from "./policy";
import { regionalScopeOf } from "./screening";
import * as store from "./store";

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
}

/** The form's current values, read through intake's personal-data door (audited). */
export async function reportIdentityForEdit(ctx: AppContext, who: AuditWho & { actor: Actor }, id: string): Promise<ReportIdentityForEdit> {
  const report = await rectifiable(ctx, who, id, "intake.report.identity.read");
  const content = await openReportContent(ctx, who, { id, livcId: report.livc_id, allowed: true, contentEnc: report.content_enc });
  await audit.recordFor(ctx, who, { action: "intake.report.identity.read", resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "success" });
  return { id, reference: report.reference, livcId: report.livc_id, fullName: content.subjectName, dateOfBirth: content.subjectBirthDate };
}

/** Saves the corrected name and birth date; every other part of the document stays as it was. */
export async function rectifyReportIdentity(ctx: AppContext, who: AuditWho & { actor: Actor }, id: string, input: IdentityInput): Promise<void> {
  const report = await rectifiable(ctx, who, id, "intake.report.rectify");
  const errors = checkIdentityInput(input, { requireDateOfBirth: true });
  if (Object.keys(errors).length > 0) throw new RectifyInvalid(errors);
  const fullName = input.fullName.trim();
  const dateOfBirth = input.dateOfBirth.trim();
  await keysReady(ctx);
  const subjectIndex = await subjectIndexOf(ctx, fullName, dateOfBirth);
  await ctx.database.db.transaction().execute(async (trx) => {
    // Read again inside the transaction: the document saved is the current one with only the identity changed.
    const current = (await store.reportById(trx, id)) ?? report;
    const content = await openReportContent(ctx, who, { id, livcId: report.livc_id, allowed: true, contentEnc: current.content_enc, db: trx });
    const sealed = await sealReportContent(ctx, who, { id, livcId: report.livc_id, allowed: true, db: trx }, { ...content, subjectName: fullName, subjectBirthDate: dateOfBirth });
    await store.updateReport(trx, id, { content_enc: sealed, subject_index: subjectIndex });
    await store.insertEvent(trx, {
      report_id: id,
      actor_id: who.actor.userId,
      transition: `identity_corrected.${input.reason}`,
      from_status: current.status,
      to_status: current.status,
      referral_service: null,
      reason_enc: null,
    });
    await audit.recordFor(ctx, who, { action: "intake.report.rectify", resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "success" }, { db: trx });
  });
}

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
