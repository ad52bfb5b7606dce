import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { LivcRole } from "../../platform/policy/actor";
import { activeHoldersOf } from "../identity/service";
import { livcById } from "../registry/service";
import { extraDaysByLivc } from "./closing-days";
import { mailDeadline } from "./notify";
import * as store from "./store";
import type { ReportStatus } from "./workflow";
import { workingDaysBetween } from "./working-days";

/**
 * Screening deadline reminders (decision 0060). A report still undecided (received or in screening,
 * not purged) gets ONE reminder when its deadline is NEAR_WORKING_DAYS working days away or closer
 * (working days of its LIVC: legal holidays, SCHAKEL_EXTRA_HOLIDAYS and the LIVC's own closing days),
 * and ONE when the deadline has passed. Both go to the people who screen it: the LIVC's active
 * coordinators and information officers, or for a regional report the province's regional contact
 * points; never its reporter. Each person gets an in-app alert (the record) and, when SMTP_URL is
 * set, a mail in their language without personal data (the LIVC's name and the date only).
 *
 * "Once" is stored on the report as the deadline the reminder was for (screening_near_reminded_for,
 * screening_passed_reminded_for), claimed by a conditional update in one transaction with the alerts
 * and the audit entry (system action `intake.report.remind_near` / `_passed`). Two runs never remind twice; a report
 * whose deadline is set anew (a new date) is reminded of the new deadline. A run that finds the
 * deadline already passed sends only "passed" (past the deadline "near" is never considered).
 */
export const NEAR_WORKING_DAYS = 2;

/** The LIVC roles that screen a report (the transition table's screeners). */
export const SCREENING_ROLES: readonly LivcRole[] = ["coordinator", "information_officer"];

const UNDECIDED: readonly ReportStatus[] = ["received", "in_screening"];

/** Longest calendar span looked at for "near": NEAR working days cannot be farther away unless an LIVC closes for weeks. */
const LOOKAHEAD_DAYS = 45;

type Stage = "near" | "passed";

declare module "./migrations" {
  interface ReportTable {
    /** The screening deadline for which the "deadline near" reminder went out (decision 0060). */
    screening_near_reminded_for?: string | null;
    /** The screening deadline for which the "deadline passed" reminder went out (decision 0060). */
    screening_passed_reminded_for?: string | null;
  }
}

interface Candidate {
  id: string;
  livc_id: string | null;
  regional_queue: string | null;
  reporter_user_id: string;
  screening_due_on: string | null;
  screening_near_reminded_for?: string | null;
  screening_passed_reminded_for?: string | null;
}

/** Who screens a report now: active coordinators and information officers of its LIVC, or its province's regional contacts; never its reporter. */
export async function screenersOfReport(ctx: AppContext, r: Pick<Candidate, "livc_id" | "regional_queue" | "reporter_user_id">): Promise<string[]> {
  let ids: string[] = [];
  if (r.livc_id) {
    ids = (await activeHoldersOf(ctx, r.livc_id, SCREENING_ROLES)).map((m) => m.user_id);
  } else if (r.regional_queue) {
    ids = (await store.regionalContactsFor(ctx.database.db, r.regional_queue)).map((c) => c.user_id);
  }
  return [...new Set(ids)].filter((id) => id !== r.reporter_user_id);
}

/** Which reminder a report is due for today, if any (null: none, or already sent for this deadline). */
export function stageDue(r: Candidate, today: string, extra: readonly string[]): Stage | null {
  const due = r.screening_due_on;
  if (!due) return null;
  if (today > due) return r.screening_passed_reminded_for === due ? null : "passed";
  if (r.screening_near_reminded_for === due) return null;
  return workingDaysBetween(today, due, extra) <= NEAR_WORKING_DAYS ? "near" : null;
}

/** Marks the reminder as sent for this deadline, if the report is still undecided and nobody marked it yet; true when this run got it. */
async function claim(db: Parameters<typeof store.insertAlert>[0], r: Candidate, stage: Stage): Promise<boolean> {
  const due = r.screening_due_on!;
  const column = stage === "near" ? "screening_near_reminded_for" : "screening_passed_reminded_for";
  const moved = await db
    .updateTable("report")
    .set({ [column]: due })
    .where("id", "=", r.id)
    .where("status", "in", UNDECIDED)
    .where("screening_due_on", "=", due)
    .where((eb) => eb.or([eb(column, "is", null), eb(column, "!=", due)]))
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

export interface ReminderRun {
  near: number;
  passed: number;
  mailed: number;
}

/**
 * The daily run: every undecided report due a reminder today gets it (alerts + audit entry in one
 * transaction with the mark, then the mails, best effort). `today` is the Brussels date (tests pass one).
 */
export async function sendDeadlineReminders(ctx: AppContext, opts: { today?: string } = {}): Promise<ReminderRun> {
  const today = opts.today ?? todayInBrussels();
  const db = ctx.database.db;
  const rows: Candidate[] = await db
    .selectFrom("report")
    .select(["id", "livc_id", "regional_queue", "reporter_user_id", "screening_due_on", "screening_near_reminded_for", "screening_passed_reminded_for"])
    .where("status", "in", UNDECIDED)
    .where("purged_at", "is", null)
    .where("screening_due_on", "is not", null)
    .where("screening_due_on", "<=", addDays(today, LOOKAHEAD_DAYS))
    // Not yet reminded of this deadline at one of the two stages.
    .where((eb) =>
      eb.or([
        eb("screening_passed_reminded_for", "is", null),
        eb("screening_passed_reminded_for", "!=", eb.ref("screening_due_on")),
        eb("screening_near_reminded_for", "is", null),
        eb("screening_near_reminded_for", "!=", eb.ref("screening_due_on")),
      ]),
    )
    .orderBy("screening_due_on")
    .orderBy("id")
    .execute();
  if (rows.length === 0) return { near: 0, passed: 0, mailed: 0 };
  const extraByLivc = await extraDaysByLivc(ctx, rows.flatMap((r) => (r.livc_id ? [r.livc_id] : [])));
  const run: ReminderRun = { near: 0, passed: 0, mailed: 0 };
  const livcNames = new Map<string, string>();
  for (const r of rows) {
    const stage = stageDue(r, today, r.livc_id ? (extraByLivc.get(r.livc_id) ?? ctx.config.SCHAKEL_EXTRA_HOLIDAYS) : ctx.config.SCHAKEL_EXTRA_HOLIDAYS);
    if (!stage) continue;
    // Read outside the transaction: on SQLite it holds the one connection.
    const recipients = await screenersOfReport(ctx, r);
    const claimed = await db.transaction().execute(async (trx) => {
      if (!(await claim(trx, r, stage))) return false;
      for (const userId of recipients) await store.insertAlert(trx, { user_id: userId, report_id: r.id, kind: stage === "near" ? "deadline_near" : "deadline_passed" });
      await audit.recordFor(ctx, { actor: null, correlationId: "job.screening_reminders" }, { action: `intake.report.remind_${stage}`, resourceType: "report", resourceId: r.id, livcId: r.livc_id, outcome: "success" }, { db: trx });
      return true;
    });
    if (!claimed) continue;
    run[stage]++;
    let livcName: string | null = null;
    if (r.livc_id) {
      if (!livcNames.has(r.livc_id)) livcNames.set(r.livc_id, (await livcById(db, r.livc_id))?.name ?? "");
      livcName = livcNames.get(r.livc_id)!;
    }
    run.mailed += await mailDeadline(ctx, recipients, stage, { livcName, dueOn: r.screening_due_on! });
  }
  return run;
}
