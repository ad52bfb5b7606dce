/**
 * Partners and participation: the use cases other modules may call (through this file only).
 *
 *   recordAttendance, attendanceFor, consultationsOf, createConsultation  (the meetings module)
 *   invitedSectorCount                                                  (the registry readiness)
 *   participationReport                                                 (monitoring figures)
 *   heldConsultationsByMonth, attendedSectorsByMonth                    (cases' quarterly figures, batched)
 *   organisationNames                                                   (names of a few organisations)
 */
import type { Kysely } from "kysely";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { audit, type AuditWho } from "../../platform/audit";
import { isIsoDate, toCount } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import type { ConsultationStatus } from "./migrations";
import * as store from "./store";
import { extend } from "../../platform/objects";

export { DECLINE_REASONS, type DeclineReason, INVITATION_KINDS, type InvitationKind, SEATS, type Seat, MANDATORY_SEATS } from "./migrations";
export { PartnerRuleError } from "./errors";
export * from "./invitations";
export { pendingInvitationCount } from "./waiting";
export { moveConsultation, withdrawConsultationInvitation } from "./consultation-changes";
export * from "./membership";
export { SOCIAL_PARTNER_SECTORS, isSocialPartner, type ParticipationAnalysis, type CellStatus } from "./analysis";
export { participationReport, participationRevision, regionalParticipation, regionalView, invitedSectorCount, suppress, checkParticipationDate, ParticipationDateError, type RegionalParticipation } from "./report";

// ---------------------------------------------------------------------------------------------
// Consultations and the attendance register (the meetings module builds on these).

export async function createConsultation(
  ctx: AppContext,
  who: AuditWho,
  c: { livcId: string; heldOn: string; status?: ConsultationStatus; id?: string },
): Promise<string> {
  if (!isIsoDate(c.heldOn)) throw new Error(`held_on must be YYYY-MM-DD (got "${c.heldOn}")`);
  return inTransaction(ctx, async (trx) => {
    const id = await store.insertConsultation(trx, { livc_id: c.livcId, held_on: c.heldOn, status: c.status ?? "planned", id: c.id });
    await audit.recordFor(ctx, who, { action: "partners.consultation.create", resourceType: "consultation", resourceId: id, livcId: c.livcId, outcome: "success" }, { db: trx });
    return id;
  });
}

export async function setConsultationStatus(ctx: AppContext, who: AuditWho, consultationId: string, status: ConsultationStatus) {
  const c = await store.consultationById(ctx.database.db, consultationId);
  if (!c) throw new Error("unknown consultation");
  await inTransaction(ctx, async (trx) => {
    await store.setConsultationStatus(trx, consultationId, status);
    await audit.recordFor(ctx, who, { action: `partners.consultation.${status}`, resourceType: "consultation", resourceId: consultationId, livcId: c.livc_id, outcome: "success" }, { db: trx });
  });
}

/** The change and its audit entry in one transaction: the caller's (ctx's db is a transaction) or a new one. */
function inTransaction<T>(ctx: AppContext, run: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  const db = ctx.database.db;
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

export const consultationById = (ctx: AppContext, id: string) => store.consultationById(ctx.database.db, id);

/** Consultations of an LIVC with held_on between from and to (inclusive), oldest first. */
export const consultationsOf = (ctx: AppContext, livcId: string, from: string, to: string) => store.consultationsOf(ctx.database.db, livcId, from, to);

/**
 * Records (or corrects) one line of the attendance register: who attended (or was absent) for which
 * organisation. The sector is taken from the organisation at the time of recording. A person without
 * an organisation (a core member linked on the LIVC form, decision 0051) is recorded without one.
 * Joins the caller's transaction (ctx's db is one) or opens its own.
 */
export async function recordAttendance(
  ctx: AppContext,
  who: AuditWho,
  a: { consultationId: string; organisationId: string | null; userId?: string | null; attended: boolean },
): Promise<string> {
  const db = ctx.database.db;
  const consultation = await store.consultationById(db, a.consultationId);
  if (!consultation) throw new Error("unknown consultation");
  if (a.organisationId === null && !a.userId) throw new Error("a line without an organisation needs a person");
  const organisation = a.organisationId === null ? null : await store.organisationById(db, a.organisationId);
  if (a.organisationId !== null && !organisation) throw new Error("unknown organisation");
  return inTransaction(ctx, async (trx) => {
    const id = await store.upsertAttendance(trx, {
      consultation_id: a.consultationId,
      user_id: a.userId ?? null,
      organisation_id: a.organisationId,
      sector: organisation?.sector ?? null,
      attended: a.attended,
    });
    await audit.recordFor(
      ctx,
      who,
      { action: "partners.attendance.record", resourceType: "consultation", resourceId: a.consultationId, livcId: consultation.livc_id, outcome: "success" },
      { db: trx },
    );
    return id;
  });
}

/** The attendance register of one consultation (names: show inside the LIVC only). */
export const attendanceFor = async (ctx: AppContext, consultationId: string) =>
  (await store.attendanceFor(ctx.database.db, consultationId)).map((r) => extend(r, { attended: r.attended === 1 }));

/**
 * Held consultations per LIVC and month ("YYYY-MM") with held_on between from and to (inclusive):
 * one aggregate query, for figures over many LIVCs (no per-LIVC or per-consultation reads).
 */
export async function heldConsultationsByMonth(ctx: AppContext, from: string, to: string): Promise<{ livcId: string; month: string; held: number }[]> {
  return (await store.heldConsultationsByMonth(ctx.database.db, from, to)).map((r) => ({ livcId: r.livc_id, month: r.month, held: toCount(r.n) }));
}

/**
 * The sectors present (attended) at held consultations, per LIVC and month ("YYYY-MM") of held_on
 * between from and to (inclusive): attendance joined with consultation in one query, distinct rows.
 */
export async function attendedSectorsByMonth(ctx: AppContext, from: string, to: string): Promise<{ livcId: string; month: string; sector: Sector }[]> {
  return (await store.attendedSectorsByMonth(ctx.database.db, from, to)).map((r) => ({ livcId: r.livc_id, month: r.month, sector: r.sector }));
}

/** Names of the given organisations, by id (unknown ids are left out): for pages that show a few. */
export async function organisationNames(ctx: AppContext, ids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  return new Map((await store.organisationsByIds(ctx.database.db, unique)).map((o) => [o.id, o.name]));
}
