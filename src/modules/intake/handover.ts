import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { newId, nowIso, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { registerTimeline } from "../registry/service";
import { extraDaysFor } from "./closing-days";
import { screenersOfReport } from "./deadline-reminders";
import { mailNewReport, mailStatusChanged } from "./notify";
import { canScreen, type ReportRef, transitionActor } from "./policy";
import { regionalScopeOf } from "./screening";
import * as store from "./store";
import { checkTransition, type TransitionRefusal } from "./workflow";
import { addWorkingDays } from "./working-days";

/**
 * Handing an undecided report over to another LIVC (decision 0062). The report's screeners (its LIVC's
 * coordinator and information officer, or a regional contact for a regional report) move it, with a
 * reason code, to an LIVC active today: screening starts again there (status received, a new deadline
 * counted with the receiving LIVC's closing days), the receiving LIVC's screeners get the in-app alert
 * a new report gets, and the sender loses access (canScreen follows report.livc_id). What travels: the
 * whole report as the reporter filed it (one document), its supplements, its status history and the
 * blind index (so the duplicate hint works there). Nothing is added: no text from the sender, only
 * the reason code and the sending LIVC's name in the history. The reporter sees "passed on", no LIVC.
 */
export const HANDOVER_REASONS = ["wrong_municipality", "livc_now_exists", "person_moved", "other"] as const;
export type HandoverReason = (typeof HANDOVER_REASONS)[number];
export const isHandoverReason = (v: unknown): v is HandoverReason => typeof v === "string" && (HANDOVER_REASONS as readonly string[]).includes(v);


export type HandoverResult =
  | { kind: "ok"; livcName: string }
  | { kind: "not_found" }
  | { kind: "forbidden" }
  | { kind: "refused"; reason: TransitionRefusal }
  | { kind: "invalid"; field: "to_livc" | "reason"; code: "required" | "same_livc" }
  | { kind: "conflict" };

/** LIVCs a report can be handed to today (active on the register), by name; the report's own one left out. */
export async function handoverTargets(ctx: AppContext, exceptLivcId: string | null, today = todayInBrussels()): Promise<{ id: string; name: string }[]> {
  const { timeline } = await registerTimeline(ctx.database.db);
  return [...timeline.livcs.values()]
    .filter((l) => l.id !== exceptLivcId && timeline.isActiveOn(l.id, today))
    .map((l) => ({ id: l.id, name: l.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function handOverReport(
  ctx: AppContext,
  who: AuditWho & { actor: Actor },
  id: string,
  input: { toLivcId: string; reason: string },
  today = todayInBrussels(),
): Promise<HandoverResult> {
  const db = ctx.database.db;
  const report = await store.reportById(db, id);
  if (!report || report.status === "draft") return { kind: "not_found" };
  const scope = await regionalScopeOf(ctx, who.actor);
  const ref: ReportRef = { livcId: report.livc_id, reporterUserId: report.reporter_user_id, regionalQueue: report.regional_queue };
  const denied = () => audit.recordFor(ctx, who, { action: "intake.report.hand_over", resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "denied" });
  if (!canScreen(who.actor, ref, scope)) {
    await denied();
    return { kind: "forbidden" };
  }
  const refusal = checkTransition("hand_over", report.status, transitionActor(who.actor, ref, scope));
  if (refusal) {
    await denied();
    return { kind: "refused", reason: refusal };
  }
  if (!input.toLivcId) return { kind: "invalid", field: "to_livc", code: "required" };
  if (input.toLivcId === report.livc_id) return { kind: "invalid", field: "to_livc", code: "same_livc" };
  const target = (await handoverTargets(ctx, report.livc_id, today)).find((l) => l.id === input.toLivcId);
  if (!target) return { kind: "invalid", field: "to_livc", code: "required" };
  if (!isHandoverReason(input.reason)) return { kind: "invalid", field: "reason", code: "required" };

  const due = addWorkingDays(today, ctx.config.SCHAKEL_SCREENING_WORKING_DAYS, await extraDaysFor(ctx, target.id));
  const screeners = await screenersOfReport(ctx, { livc_id: target.id, regional_queue: null, reporter_user_id: report.reporter_user_id });
  const done = await db.transaction().execute(async (trx) => {
    if (!(await store.compareAndSetStatus(trx, id, report.status, { status: "received", livc_id: target.id, regional_queue: null, screening_due_on: due }))) return false;
    await trx
      .insertInto("report_handover")
      .values({ id: newId(), report_id: id, from_livc_id: report.livc_id, from_regional_queue: report.regional_queue, to_livc_id: target.id, reason: input.reason, actor_id: who.actor.userId, at: nowIso() })
      .execute();
    await store.insertEvent(trx, { report_id: id, actor_id: who.actor.userId, transition: `hand_over.${input.reason}`, from_status: report.status, to_status: "received", referral_service: null, reason_enc: null });
    // The sender's unread alerts about it would lead to a page they may no longer open.
    await trx.updateTable("intake_alert").set({ read_at: nowIso() }).where("report_id", "=", id).where("read_at", "is", null).execute();
    await store.insertAlerts(trx, screeners.map((userId) => ({ user_id: userId, report_id: id, kind: "new_report" as const })));
    await audit.recordFor(ctx, who, { action: "intake.report.hand_over", resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "success" }, { db: trx });
    return true;
  });
  if (!done) return { kind: "conflict" };
  // The receiving LIVC's screeners are told as for any new report (decision 0060): content-free, after the commit.
  await mailNewReport(ctx, screeners, target.name).catch(() => undefined);
  // The reporter's status page now says "passed on": their status mail, when they asked for it (reference only).
  if (report.notify_status === 1) await mailStatusChanged(ctx, report.reporter_user_id, report.reference).catch(() => undefined);
  return { kind: "ok", livcName: target.name };
}

/** The handovers of a report for its screening page: from where to where, the reason code, when. */
export async function handoversOf(ctx: AppContext, reportId: string) {
  return ctx.database.db.selectFrom("report_handover").select(["from_livc_id", "from_regional_queue", "to_livc_id", "reason", "at"]).where("report_id", "=", reportId).orderBy("at").execute();
}
