import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { newId, nowIso } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { addTimelineEntry } from "../cases/service";
import { membersOfLivc } from "../identity/service";
import { keysReady, openSupplements, type SupplementContent, sealSupplement } from "./personal";
import { isOwnReport } from "./policy";
import { purgeWithdrawnReport } from "./retention";
import { LIMITS } from "./schema";
import { SIGNAL_CODES, type SignalCode } from "./signals";
import * as store from "./store";
import { checkTransition, type ReportStatus } from "./workflow";

/**
 * The reporter adds to, or withdraws, a report they submitted (decision 0048).
 *
 * - Supplement: only the report's own reporter, while the report is not closed, withdrawn or purged
 *   (received, in screening, and after a take-up or referral: then it is new information for the
 *   screeners). Free text and optionally signals from the same list, sealed through intake's
 *   personal-data door (personal.ts), with its audit entry and an in-app alert for the screeners
 *   in ONE transaction. No mail: the alert names the report's reference only.
 * - Withdraw: only the own reporter, only before screening decides (the "withdraw" row of the
 *   transition table), with a reason code from a fixed list. The report leaves the queue (status
 *   "withdrawn"). "Wrong person" erases its personal data at once through the retention purge
 *   (with its log); otherwise the normal retention term applies.
 */
export const WITHDRAW_REASONS = ["filed_by_mistake", "wrong_person", "wrong_livc", "other"] as const;
export type WithdrawReason = (typeof WITHDRAW_REASONS)[number];

/** The statuses in which a report takes supplements: not yet closed (and not purged, checked apart). */
export const SUPPLEMENTABLE: readonly ReportStatus[] = ["received", "in_screening", "taken_up", "referred"];

export interface SupplementForm {
  observation: string;
  signals: string[];
}
export type SupplementError = { field: "observation" | "signals"; code: "required" | "too_long" | "invalid"; limit?: number };

const NUL = String.fromCharCode(0);
const clean = (v: unknown): string => (typeof v === "string" ? v.split(NUL).join("").replace(/\r\n?/g, "\n") : "");

/** Reads a posted body into the form (never throws; typed text kept as typed). */
export function readSupplementForm(body: unknown): SupplementForm {
  const b = (typeof body === "object" && body ? body : {}) as Record<string, unknown>;
  const raw = b.signals;
  const signals = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(clean).slice(0, SIGNAL_CODES.length * 2);
  return { observation: clean(b.observation), signals: [...new Set(signals)] };
}

export function validateSupplement(f: SupplementForm): SupplementError[] {
  const errors: SupplementError[] = [];
  if (!f.observation.trim()) errors.push({ field: "observation", code: "required" });
  else if ([...f.observation].length > LIMITS.observation) errors.push({ field: "observation", code: "too_long", limit: LIMITS.observation });
  if (f.signals.some((s) => !(SIGNAL_CODES as readonly string[]).includes(s))) errors.push({ field: "signals", code: "invalid" });
  return errors;
}

export type SupplementResult = { kind: "ok" } | { kind: "not_found" } | { kind: "closed" } | { kind: "errors"; errors: SupplementError[] };
export type WithdrawResult = { kind: "ok"; purged: boolean } | { kind: "not_found" } | { kind: "closed" } | { kind: "invalid" } | { kind: "conflict" };

/** The report, when it is the asker's own submitted report; otherwise undefined (and a denial audited). */
async function ownSubmitted(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string, action: string) {
  const row = await store.reportByReference(ctx.database.db, reference);
  if (!row || row.status === "draft") return undefined;
  if (!isOwnReport(who.actor, { livcId: row.livc_id, reporterUserId: row.reporter_user_id, regionalQueue: row.regional_queue })) {
    await audit.recordFor(ctx, who, { action, resourceType: "report", resourceId: row.id, livcId: row.livc_id, outcome: "denied" });
    return undefined;
  }
  return row;
}

export const maySupplement = (row: Pick<store.ReportRow, "status" | "purged_at">) => SUPPLEMENTABLE.includes(row.status) && !row.purged_at;
export const mayWithdraw = (row: Pick<store.ReportRow, "status" | "purged_at">) => !row.purged_at && checkTransition("withdraw", row.status, { roles: [], regionalContact: false, reporter: true }) === null;

/** Who screens this report: the LIVC's active coordinators and information officers, or the regional contacts. */
async function screenersOf(ctx: AppContext, row: store.ReportRow): Promise<string[]> {
  let ids: string[] = [];
  if (row.livc_id) {
    ids = (await membersOfLivc(ctx, row.livc_id)).filter((m) => (m.role === "coordinator" || m.role === "information_officer") && m.status === "active").map((m) => m.user_id);
  } else if (row.regional_queue) {
    ids = (await store.regionalContactsFor(ctx.database.db, row.regional_queue)).map((c) => c.user_id);
  }
  return [...new Set(ids)].filter((id) => id !== row.reporter_user_id);
}

/** The reporter's own report, for the forms: null when it is not theirs (404). */
export async function supplementTarget(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string) {
  const row = await ownSubmitted(ctx, who, reference, "intake.report.supplement.form");
  return row ? { reference: row.reference, maySupplement: maySupplement(row), mayWithdraw: mayWithdraw(row) } : null;
}

export async function addSupplement(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string, form: SupplementForm): Promise<SupplementResult> {
  const row = await ownSubmitted(ctx, who, reference, "intake.report.supplement");
  if (!row) return { kind: "not_found" };
  if (!maySupplement(row)) return { kind: "closed" };
  const errors = validateSupplement(form);
  if (errors.length > 0) return { kind: "errors", errors };
  const content: SupplementContent = { observation: form.observation, signals: form.signals as SignalCode[] };
  const recipients = await screenersOf(ctx, row);
  await keysReady(ctx);
  const id = newId();
  const done = await ctx.database.db.transaction().execute(async (trx) => {
    // The status is read again inside the transaction: a report closed or withdrawn meanwhile takes no supplement.
    const current = await store.reportById(trx, row.id);
    if (!current || !maySupplement(current)) return false;
    const content_enc = await sealSupplement(ctx, who, { id, livcId: row.livc_id, allowed: true, db: trx }, content);
    await trx.insertInto("report_supplement").values({ id, report_id: row.id, author_user_id: who.actor.userId, created_at: nowIso(), report_status: current.status, content_enc }).execute();
    for (const userId of recipients) await store.insertAlert(trx, { user_id: userId, report_id: row.id, kind: "supplement" });
    // Taken up: the case's timeline says so (content-free, no actor), so the chair and everyone on the case
    // sees it where they work; only the screeners read the supplement itself (decision 0060).
    if (current.case_id) await addTimelineEntry(ctx, trx, { who: { actor: null }, caseId: current.case_id, livcId: current.livc_id ?? "", kind: "report_supplemented" });
    await audit.recordFor(ctx, who, { action: "intake.report.supplement", resourceType: "report", resourceId: row.id, livcId: row.livc_id, outcome: "success" }, { db: trx });
    return true;
  });
  return done ? { kind: "ok" } : { kind: "closed" };
}

export async function withdrawReport(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string, reason: string): Promise<WithdrawResult> {
  const row = await ownSubmitted(ctx, who, reference, "intake.report.withdraw");
  if (!row) return { kind: "not_found" };
  if (!mayWithdraw(row)) return { kind: "closed" };
  if (!(WITHDRAW_REASONS as readonly string[]).includes(reason)) return { kind: "invalid" };
  const recipients = await screenersOf(ctx, row);
  const purge = reason === "wrong_person";
  const done = await ctx.database.db.transaction().execute(async (trx) => {
    if (!(await store.compareAndSetStatus(trx, row.id, row.status, { status: "withdrawn", withdrawn_reason: reason }))) return false;
    await store.insertEvent(trx, { report_id: row.id, actor_id: who.actor.userId, transition: "withdraw", from_status: row.status, to_status: "withdrawn", referral_service: null, reason_enc: null });
    for (const userId of recipients) await store.insertAlert(trx, { user_id: userId, report_id: row.id, kind: "withdrawn" });
    await audit.recordFor(ctx, who, { action: "intake.report.withdraw", resourceType: "report", resourceId: row.id, livcId: row.livc_id, outcome: "success" }, { db: trx });
    // About the wrong person: nothing of it is kept for that person (decision 0048).
    if (purge) await purgeWithdrawnReport(ctx, trx, who, row.id);
    return true;
  });
  return done ? { kind: "ok", purged: purge } : { kind: "conflict" };
}

export interface SupplementItem {
  id: string;
  at: string;
  /** Came in after screening decided: new information. */
  afterDecision: boolean;
  observation: string;
  signals: SignalCode[];
}

/** The supplements of a report for its screeners, oldest first (each read audited). */
export async function supplementsForScreening(ctx: AppContext, who: AuditWho, report: store.ReportRow, allowed: boolean): Promise<SupplementItem[]> {
  const rows = await ctx.database.db.selectFrom("report_supplement").select(["id", "created_at", "report_status", "content_enc"]).where("report_id", "=", report.id).orderBy("created_at").orderBy("id").execute();
  if (rows.length === 0) return [];
  const plain = await openSupplements(ctx, who, report.livc_id, allowed, rows);
  return rows.map((r) => ({
    id: r.id,
    at: r.created_at,
    afterDecision: !(["received", "in_screening"] as string[]).includes(r.report_status),
    observation: plain.get(r.id)?.observation ?? "",
    signals: plain.get(r.id)?.signals ?? [],
  }));
}

/** When the reporter added supplements (dates only: the reporter's status page shows no content). */
export const supplementDates = async (ctx: AppContext, reportId: string) =>
  (await ctx.database.db.selectFrom("report_supplement").select("created_at").where("report_id", "=", reportId).orderBy("created_at").execute()).map((r) => r.created_at);
