import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { groupedTransaction } from "../../platform/db/grouped";
import { addDays, newId, nowIso, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { activeHoldersOf } from "../identity/service";
import { municipalitiesOn } from "../reference/service";
import { livcById, registerTimeline } from "../registry/service";
import { extraDaysFor } from "./closing-days";
import { handoversOf } from "./handover";
import { mailDangerNow, mailNewReport, mailRegionalNew } from "./notify";
import { keysReady, openReportContent, type ReportContent, sealReportContent, subjectIndexOf } from "./personal";
import { isOwnReport } from "./policy";
import { newReference } from "./reference-number";
import { asSignals, emptyForm, type FormError, isMinorOn, type ReportForm, validateForm } from "./schema";
import type { SinceCode } from "./signals";
import * as store from "./store";
import { maySupplement, mayWithdraw, supplementDates } from "./supplement";
import { addWorkingDays } from "./working-days";
import { SCREENING_ROLES } from "./deadline-reminders";
import { type ReporterStatus, reporterStatusOf } from "./workflow";

export * from "./screening";
export { purgeReports, type ReportPurgeReport, reportPurgeLog } from "./retention";
export { sendDeadlineReminders } from "./deadline-reminders";
export { reporterWaiting, screeningWaiting } from "./waiting";
// Registers the reports' part of a subject access export (GDPR art. 15) with the cases module.
import "./subject-access";
import { extend } from "../../platform/objects";
export { REPORT_STATUSES, REPORTER_STATUSES, TRANSITIONS, reporterStatusOf, type ReportStatus } from "./workflow";

// ---------------------------------------------------------------------------------------------
// Routing: which LIVC covers a municipality on a day (the register decides, mergers included).

export type Routing =
  | { kind: "livc"; livcId: string; livcName: string; municipality: string; province: string }
  | { kind: "regional"; province: string; municipality: string };

/** null: the municipality does not exist on that day. */
export async function routeFor(ctx: AppContext, nis: string, date: string): Promise<Routing | null> {
  const { timeline } = await registerTimeline(ctx.database.db);
  const version = timeline.versionOn(nis, date);
  if (!version) return null;
  const { livcId } = timeline.memberLivcOn(version, date);
  if (livcId && timeline.isActiveOn(livcId, date)) {
    return { kind: "livc", livcId, livcName: timeline.livcs.get(livcId)?.name ?? livcId, municipality: version.name, province: version.province };
  }
  return { kind: "regional", province: version.province, municipality: version.name };
}

/** The municipalities a report can name: those valid today (reference data). */
export async function municipalityChoices(ctx: AppContext, today = todayInBrussels()) {
  return (await municipalitiesOn(ctx.database.db, today)).map((m) => ({ nis: m.nis, name: m.name }));
}

// ---------------------------------------------------------------------------------------------
// Filing a report: drafts, then one submission.

const toContent = (f: ReportForm): ReportContent => ({
  identity: f.identity_known,
  subjectName: f.identity_known === "unknown" ? "" : f.subject_name,
  subjectBirthDate: f.identity_known === "unknown" ? "" : f.subject_birth_date,
  subjectDescription: f.subject_description,
  signals: asSignals(f.signals),
  observation: f.observation,
  since: f.since as SinceCode | "",
  personKnows: f.person_knows,
  parentKnows: f.parent_knows,
  reporterOrganisation: f.reporter_organisation,
  reporterContact: f.reporter_contact,
});

const toForm = (row: store.ReportRow, c: ReportContent): ReportForm => extend(emptyForm(), {
  identity_known: c.identity,
  subject_name: c.subjectName,
  subject_birth_date: c.subjectBirthDate,
  municipality_nis: row.municipality_nis ?? "",
  subject_description: c.subjectDescription,
  signals: c.signals,
  observation: c.observation,
  since: c.since,
  person_knows: c.personKnows,
  parent_knows: c.parentKnows,
  minor: row.minor === 1,
  danger_now: row.danger_now === 1,
  reporter_organisation: c.reporterOrganisation,
  reporter_contact: c.reporterContact,
  notify_status: row.notify_status === 1,
});

export const addYears = (date: string, years: number) => addDays(date, Math.round(years * 365.25));

export type FileResult =
  | { kind: "errors"; errors: FormError[] }
  | { kind: "draft"; reference: string }
  | { kind: "submitted"; reference: string; routing: Routing; dangerNow: boolean; minor: boolean }
  | { kind: "not_found" };

/**
 * Saves a draft or submits. `existingId` continues the reporter's own draft; anything else
 * (someone else's, or already submitted) is "not_found", so ids reveal nothing.
 */
export async function fileReport(ctx: AppContext, who: AuditWho & { actor: Actor }, form: ReportForm, mode: "draft" | "submit", existingReference?: string): Promise<FileResult> {
  const db = ctx.database.db;
  const actor = who.actor;
  const today = todayInBrussels();
  const known = new Set((await municipalityChoices(ctx, today)).map((m) => m.nis));
  const errors = validateForm(form, mode, (nis) => known.has(nis), today);
  if (errors.length > 0) return { kind: "errors", errors };

  let existing: store.ReportRow | undefined;
  if (existingReference) {
    existing = await store.reportByReference(db, existingReference);
    if (existing?.status !== "draft" || !isOwnReport(actor, toRef(existing))) return { kind: "not_found" };
  }
  // The same rule as the route permission report.file, plus: only one's own draft.
  const mayWrite = existing ? isOwnReport(actor, toRef(existing)) : actor.memberships.length > 0;
  const id = existing?.id ?? newId();
  const reference = existing?.reference ?? newReference();
  const identityKnown = form.identity_known === "known";
  const minor = form.minor || (identityKnown && isMinorOn(form.subject_birth_date, today));
  const organisationId = actor.memberships.find((m) => m.organisationId)?.organisationId ?? null;
  const base = {
    municipality_nis: form.municipality_nis || null,
    identity_known: identityKnown ? 1 : 0,
    minor: minor ? 1 : 0,
    danger_now: form.danger_now ? 1 : 0,
    notify_status: form.notify_status ? 1 : 0,
  };

  // The personal-data write entry commits with the change: sealed inside the transaction ({ db: trx }),
  // so a failed save leaves no entry behind. A refusal by the policy is audited on its own and throws.
  const seal = (livcId: string | null, on?: Kysely<DB>) => sealReportContent(ctx, who, { id, livcId, allowed: mayWrite, db: on }, toContent(form));
  await keysReady(ctx); // on SQLite the transaction holds the one connection: load the keys before it

  if (mode === "draft") {
    if (!mayWrite) await seal(null);
    // The draft, its personal-data write entry and its audit entry commit together.
    await db.transaction().execute(async (trx) => {
      const content_enc = await seal(null, trx);
      if (existing) await store.updateReport(trx, id, extend(base, { content_enc }));
      else await store.insertReport(trx, extend(emptyRow(id, reference, actor.userId, organisationId), extend(base, { content_enc })));
      await audit.recordFor(ctx, who, { action: "intake.report.draft", resourceType: "report", resourceId: id, outcome: "success" }, { db: trx });
    });
    return { kind: "draft", reference };
  }

  const routing = (await routeFor(ctx, form.municipality_nis, today))!;
  const livcId = routing.kind === "livc" ? routing.livcId : null;
  if (!mayWrite) await seal(livcId);
  const subject_index = identityKnown ? await subjectIndexOf(ctx, form.subject_name, form.subject_birth_date) : null;
  const submitted = extend(base, {
    subject_index,
    status: "received" as const,
    livc_id: livcId,
    regional_queue: routing.kind === "regional" ? routing.province : null,
    routed_on: today,
    submitted_at: nowIso(),
    // Installation-wide closing days plus the receiving LIVC's own (a regional report: installation-wide only).
    screening_due_on: addWorkingDays(today, ctx.config.SCHAKEL_SCREENING_WORKING_DAYS, await extraDaysFor(ctx, livcId)),
    retention_until: addYears(today, minor ? ctx.config.SCHAKEL_RETENTION_MINOR_YEARS : ctx.config.SCHAKEL_RETENTION_YEARS),
  });
  const notices = await noticesFor(ctx, { id, livcId, province: routing.kind === "regional" ? routing.province : null, dangerNow: form.danger_now, reporterUserId: actor.userId });
  // Submissions arriving together share one commit (decisions 0070, 0084: a failing one is undone alone).
  await groupedTransaction(ctx.database, async (trx) => {
    const content_enc = await seal(livcId, trx);
    if (existing) await store.updateReport(trx, id, extend(submitted, { content_enc }));
    else await store.insertReport(trx, extend(emptyRow(id, reference, actor.userId, organisationId), extend(submitted, { content_enc })));
    await store.insertEvent(trx, { report_id: id, actor_id: actor.userId, transition: "submit", from_status: "draft", to_status: "received", referral_service: null, reason_enc: null });
    await store.insertAlerts(trx, notices.alerts);
    await audit.recordFor(ctx, who, { action: "intake.report.submit", resourceType: "report", resourceId: id, livcId, outcome: "success" }, { db: trx });
  });
  // After the commit, best effort: the report stands whatever happens to its mails.
  await notices.mail().catch(() => undefined);
  return { kind: "submitted", reference, routing, dangerNow: form.danger_now, minor };
}

function emptyRow(id: string, reference: string, userId: string, organisationId: string | null): store.ReportRow {
  const now = nowIso();
  return {
    id, reference, status: "draft", reporter_user_id: userId, reporter_organisation_id: organisationId, livc_id: null, regional_queue: null,
    municipality_nis: null, routed_on: null, identity_known: 0, minor: 0, danger_now: 0, notify_status: 0, subject_index: null, content_enc: "",
    created_at: now, updated_at: now, submitted_at: null, screening_due_on: null, retention_until: null, decided_at: null, case_id: null,
  };
}

/**
 * Who hears about a new report. The recipients are read before the submission's transaction, the
 * in-app alerts are written IN it (a report and its alerts commit together), and the mails go after the
 * commit, best effort (a lost mail leaves the report in the queue; the deadline reminders,
 * deadline-reminders.ts, still come).
 * - LIVC, "danger now": its active information officers at once (alert + mail "danger now", decision 0007).
 * - LIVC, every report: its other active screeners (coordinators; information officers when not
 *   "danger now") get an alert and a mail "a new report waits in LIVC X" (decision 0060).
 * - No LIVC: the regional contact points of the province (alert + mail, decision 0007).
 * Never the reporter; each person once; mails name no person, no place and no reference.
 */
async function noticesFor(ctx: AppContext, r: { id: string; livcId: string | null; province: string | null; dangerNow: boolean; reporterUserId: string }) {
  const db = ctx.database.db;
  const notMe = (ids: string[]) => [...new Set(ids)].filter((id) => id !== r.reporterUserId);
  if (r.livcId) {
    const livcId = r.livcId;
    const members = await activeHoldersOf(ctx, livcId, SCREENING_ROLES);
    const danger = r.dangerNow ? notMe(members.filter((m) => m.role === "information_officer").map((m) => m.user_id)) : [];
    const ordinary = notMe(members.map((m) => m.user_id)).filter((id) => !danger.includes(id));
    return {
      alerts: [
        ...danger.map((userId) => ({ user_id: userId, report_id: r.id, kind: "danger_now" as const })),
        ...ordinary.map((userId) => ({ user_id: userId, report_id: r.id, kind: "new_report" as const })),
      ],
      mail: async () => {
        await mailDangerNow(ctx, danger);
        // The LIVC's name is read only when there is a mail to send.
        if (ctx.config.SMTP_URL && ordinary.length > 0) await mailNewReport(ctx, ordinary, (await livcById(db, livcId))?.name ?? "");
      },
    };
  }
  if (r.province) {
    const contacts = notMe((await store.regionalContactsFor(db, r.province)).map((c) => c.user_id));
    const dangerNow = r.dangerNow;
    return {
      alerts: contacts.map((userId) => ({ user_id: userId, report_id: r.id, kind: dangerNow ? ("danger_now" as const) : ("regional_new" as const) })),
      mail: () => (dangerNow ? mailDangerNow(ctx, contacts) : mailRegionalNew(ctx, contacts)),
    };
  }
  return { alerts: [], mail: async () => {} };
}

/** The reporter's own draft, decrypted for editing (audited through the personal-data path). */
export async function ownDraft(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string): Promise<ReportForm | null> {
  const row = await store.reportByReference(ctx.database.db, reference);
  if (row?.status !== "draft" || !isOwnReport(who.actor, toRef(row))) return null;
  return toForm(row, await openReportContent(ctx, who, { id: row.id, livcId: null, allowed: isOwnReport(who.actor, toRef(row)), contentEnc: row.content_enc }));
}

// ---------------------------------------------------------------------------------------------
// What the reporter sees: their own reports and only the status word.

export const toRef = (r: Pick<store.ReportRow, "livc_id" | "reporter_user_id" | "regional_queue">) => ({
  livcId: r.livc_id,
  reporterUserId: r.reporter_user_id,
  regionalQueue: r.regional_queue,
});

export async function myReports(ctx: AppContext, actor: Actor) {
  return (await store.reportsFiledBy(ctx.database.db, actor.userId)).map((r) => ({
    reference: r.reference,
    draft: r.status === "draft",
    status: reporterStatusOf(r.status),
    createdAt: r.created_at,
    submittedAt: r.submitted_at,
  }));
}

export interface ReporterView {
  reference: string;
  status: ReporterStatus;
  submittedAt: string;
  history: { at: string; status: ReporterStatus }[];
  /** When the reporter added supplements (dates only). */
  supplements: string[];
  maySupplement: boolean;
  mayWithdraw: boolean;
  withdrawnReason: string | null;
  /** When the report was passed on to another LIVC (decision 0062): dates only, never which LIVC. */
  passedOn: string[];
}

/** The status page: only the status words and their dates. null when it is not the asker's report. */
export async function reporterView(ctx: AppContext, who: AuditWho & { actor: Actor }, reference: string): Promise<ReporterView | null> {
  const row = await store.reportByReference(ctx.database.db, reference);
  if (!row || !isOwnReport(who.actor, toRef(row))) return null;
  const status = reporterStatusOf(row.status);
  if (!status || !row.submitted_at) return null;
  const history: ReporterView["history"] = [];
  for (const e of await store.statusHistoryOf(ctx.database.db, row.id)) {
    const s = reporterStatusOf(e.to_status as store.ReportRow["status"]);
    if (s && history.at(-1)?.status !== s) history.push({ at: e.at, status: s });
  }
  await audit.recordFor(ctx, who, { action: "intake.status.read", resourceType: "report", resourceId: row.id, outcome: "success" });
  return {
    reference: row.reference,
    status,
    submittedAt: row.submitted_at,
    history,
    supplements: await supplementDates(ctx, row.id),
    maySupplement: maySupplement(row),
    mayWithdraw: mayWithdraw(row),
    withdrawnReason: row.withdrawn_reason ?? null,
    passedOn: (await handoversOf(ctx, row.id)).map((x) => x.at),
  };
}

/** What the confirmation page after submitting says: where the report went (own report only). */
export async function receivedView(ctx: AppContext, actor: Actor, reference: string) {
  const row = await store.reportByReference(ctx.database.db, reference);
  if (!row || row.status === "draft" || !isOwnReport(actor, toRef(row)) || !row.municipality_nis || !row.routed_on) return null;
  const { timeline } = await registerTimeline(ctx.database.db);
  const v = timeline.versionOn(row.municipality_nis, row.routed_on);
  const municipality = v?.name ?? row.municipality_nis;
  const routing: Routing = row.livc_id
    ? { kind: "livc", livcId: row.livc_id, livcName: timeline.livcs.get(row.livc_id)?.name ?? "", municipality, province: v?.province ?? "" }
    : { kind: "regional", province: row.regional_queue ?? "", municipality };
  return { reference: row.reference, routing, dangerNow: row.danger_now === 1, minor: row.minor === 1 };
}
