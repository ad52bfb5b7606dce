/**
 * Changes to a planned consultation that the meetings module makes (rescheduling, cancelling,
 * taking a case off the agenda): the date of the consultation and the withdrawal of its
 * consultation invitations. Both can change the participation figures, so each bumps the revision
 * (decision 0023) in the same transaction, and each writes its audit entry there too. They join the
 * caller's transaction when ctx's database handle is one (decision 0043).
 */
import type { Kysely } from "kysely";
import { audit, type AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { isIsoDate, nowIso, todayInBrussels } from "../../platform/db/values";
import * as store from "./store";

function inTransaction<T>(ctx: AppContext, run: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  const db = ctx.database.db;
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** Moves a planned consultation to another day. */
export async function moveConsultation(ctx: AppContext, who: AuditWho, consultationId: string, heldOn: string): Promise<void> {
  if (!isIsoDate(heldOn)) throw new Error(`held_on must be YYYY-MM-DD (got "${heldOn}")`);
  await inTransaction(ctx, async (trx) => {
    const c = await store.consultationById(trx, consultationId);
    if (!c) throw new Error("unknown consultation");
    await trx.updateTable("consultation").set({ held_on: heldOn }).where("id", "=", consultationId).execute();
    await store.bumpRevision(trx);
    await audit.recordFor(ctx, who, { action: "partners.consultation.move", resourceType: "consultation", resourceId: consultationId, livcId: c.livc_id, outcome: "success" }, { db: trx });
  });
}

/**
 * Withdraws a consultation invitation because its meeting (or its case on that meeting's agenda)
 * no longer takes place: a pending OR accepted invitation becomes withdrawn (the acceptance stays in
 * the audit log); a declined or expired one keeps its answer. Returns whether it moved.
 */
export async function withdrawConsultationInvitation(ctx: AppContext, who: AuditWho, invitationId: string, today = todayInBrussels()): Promise<boolean> {
  return inTransaction(ctx, async (trx) => {
    const inv = await store.invitationById(trx, invitationId);
    if (inv?.kind !== "consultation" || !["pending", "accepted"].includes(inv.status)) return false;
    const r = await trx
      .updateTable("partner_invitation")
      .set({ status: "withdrawn", responded_on: today, responded_by: who.actor?.userId ?? null, updated_at: nowIso() })
      .where("id", "=", inv.id)
      .where("status", "in", ["pending", "accepted"])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await store.bumpRevision(trx);
    await audit.recordFor(ctx, who, { action: "partners.invitation.withdraw", resourceType: "partner_invitation", resourceId: inv.id, livcId: inv.livc_id, outcome: "success" }, { db: trx });
    return true;
  });
}
