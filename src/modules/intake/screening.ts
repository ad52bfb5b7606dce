import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { newId, nowIso, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { registerTimeline } from "../registry/service";
import { canSeeCase, caseGrants, caseRow, casesOfSubject, type JoinRefusal, joinReportToCase, openCaseFromScreening } from "../cases/service";
import { isOpenCase, type JoinableCase, joinableCases } from "./case-link";
import { handoverTargets } from "./handover";
import { extraDaysByLivc } from "./closing-days";
import { mailStatusChanged } from "./notify";
import { openReasons, openReportContent, type ReportContent, sealReason } from "./personal";
import { canScreen, type RegionalScope, type ReportRef, screeningLivcIds, transitionActor } from "./policy";
import { LIMITS } from "./schema";
import * as store from "./store";
import { type SupplementItem, supplementsForScreening } from "./supplement";
import { workingDaysBetween } from "./working-days";
import { availableTransitions, checkTransition, type ReportStatus, reporterStatusOf, type Transition, TRANSITIONS, type TransitionRefusal } from "./workflow";
import { extend } from "../../platform/objects";

const refOf = (r: store.ReportRow): ReportRef => ({ livcId: r.livc_id, reporterUserId: r.reporter_user_id, regionalQueue: r.regional_queue });

/** A regional contact's scope, or null when the person is none. */
export async function regionalScopeOf(ctx: AppContext, actor: Actor | null): Promise<RegionalScope | null> {
  if (!actor) return null;
  const rows = await store.regionalContactsOf(ctx.database.db, actor.userId);
  if (rows.length === 0) return null;
  return { all: rows.some((r) => r.province === null), provinces: rows.map((r) => r.province).filter((p): p is string => p !== null) };
}

/** Earlier reports and cases of the same person in this LIVC, by blind-index equality only. */
async function duplicatesOf(ctx: AppContext, livcId: string, subjectIndex: string, exceptReportId: string) {
  const [reports, cases] = await Promise.all([store.sameSubjectInLivc(ctx.database.db, livcId, subjectIndex, exceptReportId), casesOfSubject(ctx, livcId, subjectIndex)]);
  return { reports, cases };
}

export interface QueueItem {
  id: string;
  reference: string;
  status: ReportStatus;
  municipality: string;
  minor: boolean;
  dangerNow: boolean;
  identityKnown: boolean;
  submittedAt: string;
  ageWorkingDays: number;
  dueOn: string | null;
  decidedAt: string | null;
  overdue: boolean;
  possibleDuplicate: boolean;
}

/** Queue rows: facts and dates only (no names: those are read, and audited, on the detail page). */
async function toItems(ctx: AppContext, rows: store.QueueRow[], today: string): Promise<QueueItem[]> {
  const { timeline } = await registerTimeline(ctx.database.db);
  // One query for earlier reports of the same person; earlier cases are asked once per person (a page holds at most a page of people).
  const withIndex = rows.filter((r) => r.livc_id && r.subject_index);
  const counts = await store.subjectIndexCounts(ctx.database.db, [...new Set(withIndex.map((r) => r.livc_id!))], withIndex.map((r) => r.subject_index!));
  // Closing days: installation-wide plus each LIVC's own, read once for the whole page (not per row).
  const extraOf = await extraDaysByLivc(ctx, rows.map((r) => r.livc_id).filter((id): id is string => id !== null));
  const caseKnown = new Map<string, boolean>();
  for (const r of withIndex) {
    const key = `${r.livc_id}|${r.subject_index}`;
    if ((counts.get(key) ?? 0) < 2 && !caseKnown.has(key)) caseKnown.set(key, (await casesOfSubject(ctx, r.livc_id!, r.subject_index!)).length > 0);
  }
  return rows.map((r) => {
    const key = `${r.livc_id}|${r.subject_index}`;
    const duplicate = Boolean(r.livc_id && r.subject_index && ((counts.get(key) ?? 0) > 1 || caseKnown.get(key)));
    const submittedOn = (r.submitted_at ?? today).slice(0, 10);
    const open = store.OPEN_STATUSES.includes(r.status);
    return {
      id: r.id,
      reference: r.reference,
      status: r.status,
      municipality: (r.municipality_nis && timeline.versionsByNis.get(r.municipality_nis)?.at(-1)?.name) || (r.municipality_nis ?? ""),
      minor: r.minor === 1,
      dangerNow: r.danger_now === 1,
      identityKnown: r.identity_known === 1,
      submittedAt: r.submitted_at ?? "",
      ageWorkingDays: workingDaysBetween(submittedOn, today, (r.livc_id && extraOf.get(r.livc_id)) || ctx.config.SCHAKEL_EXTRA_HOLIDAYS),
      dueOn: r.screening_due_on,
      decidedAt: r.decided_at,
      // The stored deadline is a working day (addWorkingDays, holidays skipped): past it is overdue.
      overdue: open && Boolean(r.screening_due_on && r.screening_due_on < today),
      possibleDuplicate: duplicate,
    };
  });
}

export const QUEUE_PAGE_SIZE = 50;
export type QueueFilter = store.QueueFilter;

/** One page of one queue, with the totals of both filters (the tabs) and the page count. */
export interface QueueList {
  filter: QueueFilter;
  items: QueueItem[];
  page: number;
  pages: number;
  /** Index of the first item shown (1-based; 0 when the list is empty). */
  from: number;
  total: number;
  counts: Record<QueueFilter, number>;
}

async function listOf(ctx: AppContext, source: store.QueueSource, filter: QueueFilter, page: number, today: string): Promise<QueueList> {
  const db = ctx.database.db;
  const [open, decided] = await Promise.all([store.queueCount(db, source, "open"), store.queueCount(db, source, "decided")]);
  const total = filter === "open" ? open : decided;
  const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const offset = (current - 1) * QUEUE_PAGE_SIZE;
  const items = await toItems(ctx, await store.queuePage(db, source, filter, QUEUE_PAGE_SIZE, offset), today);
  return { filter, items, page: current, pages, from: items.length ? offset + 1 : 0, total, counts: { open, decided } };
}

export interface QueueRequest {
  filter: QueueFilter;
  page: number;
  /** Which LIVC, for someone who screens in several; default the first by name. */
  livc?: string;
}

export interface LivcQueue {
  /** Every LIVC this person screens in, with its open count when there are several (else the one, count omitted). */
  livcs: { livcId: string; name: string; open: number | null }[];
  livcId: string;
  name: string;
  list: QueueList;
}

/**
 * The LIVC screening queue this person asked for: one LIVC at a time, one page at a time.
 * null: the person screens in no LIVC; "not_found": an LIVC they do not screen in.
 */
export async function livcQueue(ctx: AppContext, actor: Actor, request: QueueRequest, today = todayInBrussels()): Promise<LivcQueue | null | "not_found"> {
  const { timeline } = await registerTimeline(ctx.database.db);
  const ids = screeningLivcIds(actor);
  if (ids.length === 0) return null;
  const nameOf = (id: string) => timeline.livcs.get(id)?.name ?? id;
  const byName = [...ids].sort((a, b) => nameOf(a).localeCompare(nameOf(b)) || a.localeCompare(b));
  const livcId = request.livc ?? byName[0];
  if (!ids.includes(livcId)) return "not_found";
  const counts = ids.length > 1 ? await store.openCountsByLivc(ctx.database.db, ids) : null;
  return {
    livcs: byName.map((id) => ({ livcId: id, name: nameOf(id), open: counts ? (counts.get(id) ?? 0) : null })),
    livcId,
    name: nameOf(livcId),
    list: await listOf(ctx, { livcId }, request.filter, request.page, today),
  };
}

/** The regional queue within a regional contact's scope, one page at a time (null: not a regional contact). */
export async function regionalQueueFor(ctx: AppContext, actor: Actor, request: Omit<QueueRequest, "livc">, today = todayInBrussels()) {
  const scope = await regionalScopeOf(ctx, actor);
  if (!scope) return null;
  return { scope, list: await listOf(ctx, { regional: scope }, request.filter, request.page, today) };
}

/** How many regional reports wait (for the link from the LIVC queue); null when the person is no regional contact. */
export async function regionalOpenCount(ctx: AppContext, actor: Actor): Promise<number | null> {
  const scope = await regionalScopeOf(ctx, actor);
  return scope ? store.queueCount(ctx.database.db, { regional: scope }, "open") : null;
}

export const ALERTS_SHOWN = 20;
/** Unread alerts are counted up to this many; past it the queue says "more than". */
export const ALERTS_COUNTED = 1000;

/** The newest unread alerts (at most ALERTS_SHOWN) and how many there are in all (`capped`: more than ALERTS_COUNTED). */
export async function alertsFor(ctx: AppContext, actor: Actor) {
  const [items, counted] = await Promise.all([store.unreadAlertsOf(ctx.database.db, actor.userId, ALERTS_SHOWN), store.unreadAlertCount(ctx.database.db, actor.userId, ALERTS_COUNTED)]);
  return { items, total: Math.min(counted, ALERTS_COUNTED), capped: counted > ALERTS_COUNTED };
}

export interface ScreeningView {
  kind: "ok";
  report: store.ReportRow;
  item: QueueItem;
  livcName: string | null;
  content: ReportContent;
  events: { at: string; transition: string; toStatus: string; referralService: string | null; reason: string | null }[];
  /** The reporter's supplements, oldest first (decision 0048). */
  supplements: SupplementItem[];
  duplicates: { reports: { reference: string; id: string; submittedAt: string | null; canOpen: boolean }[]; cases: { id: string; label: string | null; openedAt: string; canOpen: boolean }[] };
  transitions: Transition[];
  /** Open cases of this person in this LIVC the screener may add the report to (decision 0062); empty: "join_case" is not offered. */
  joinable: JoinableCase[];
  /** LIVCs this report may be handed over to (decision 0062); empty when "hand_over" is not available. */
  handoverTargets: { id: string; name: string }[];
}

type Denied = { kind: "not_found" } | { kind: "forbidden" };

/** Opens a report for screening: the content read goes through the personal-data path (audited). */
export async function openForScreening(ctx: AppContext, who: AuditWho & { actor: Actor }, id: string, today = todayInBrussels()): Promise<ScreeningView | Denied> {
  const db = ctx.database.db;
  const report = await store.reportById(db, id);
  if (!report || report.status === "draft") return { kind: "not_found" };
  const scope = await regionalScopeOf(ctx, who.actor);
  if (!canScreen(who.actor, refOf(report), scope)) {
    await audit.recordFor(ctx, who, { action: "intake.screening.read", resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "denied" });
    return { kind: "forbidden" };
  }
  const allowed = canScreen(who.actor, refOf(report), scope);
  const content = await openReportContent(ctx, who, { id, livcId: report.livc_id, allowed, contentEnc: report.content_enc });
  const events = await store.eventsOf(db, id);
  const reasons = await openReasons(ctx, who, report.livc_id, allowed, events);
  const supplements = await supplementsForScreening(ctx, who, report, allowed);
  const [item] = await toItems(ctx, [report], today);
  const dup = report.livc_id && report.subject_index ? await duplicatesOf(ctx, report.livc_id, report.subject_index, id) : { reports: [], cases: [] };
  const grants = await caseGrants(db, who.actor);
  await store.markAlertsRead(db, who.actor.userId, id);
  const { timeline } = await registerTimeline(db);
  const joinable = joinableCases(grants, report.livc_id, dup.cases);
  const transitions = availableTransitions(report.status, transitionActor(who.actor, refOf(report), scope)).filter((x) => x !== "join_case" || joinable.length > 0);
  return {
    kind: "ok",
    report,
    item,
    livcName: report.livc_id ? (timeline.livcs.get(report.livc_id)?.name ?? null) : null,
    content,
    events: events.map((e) => ({ at: e.at, transition: e.transition, toStatus: e.to_status, referralService: e.referral_service, reason: reasons.get(e.id) ?? null })),
    supplements,
    duplicates: {
      // Earlier reports are in the same LIVC, so the same screening grant decides the link.
      reports: dup.reports.map((d) => ({ reference: d.reference, id: d.id, submittedAt: d.submitted_at, canOpen: canScreen(who.actor, extend(refOf(report), { reporterUserId: "" }), scope) })),
      // A case link only for those the cases policy lets see that case.
      cases: dup.cases.map((c) => ({ id: c.id, label: canSeeCase(grants, c) ? c.label : null, openedAt: c.opened_at, canOpen: canSeeCase(grants, c) })),
    },
    transitions,
    joinable,
    handoverTargets: transitions.includes("hand_over") ? await handoverTargets(ctx, report.livc_id, today) : [],
  };
}

export type DecisionResult =
  | { kind: "ok"; status: ReportStatus; caseId: string | null }
  | Denied
  | { kind: "refused"; reason: TransitionRefusal }
  | { kind: "invalid"; field: "reason" | "referral_service" | "case_id"; code: "required" | "too_long" }
  /** The chosen case cannot take this report (decision 0062): not found, another LIVC, closed, not visible, another person. */
  | { kind: "not_joinable"; reason: JoinRefusal | "other_person" }
  | { kind: "conflict" };

/** One step of the transition table, with a reason; the reporter's status follows. */
export async function decide(
  ctx: AppContext,
  who: AuditWho & { actor: Actor },
  id: string,
  input: { transition: Transition; reason: string; referralService: string; caseId?: string },
): Promise<DecisionResult> {
  const db = ctx.database.db;
  const report = await store.reportById(db, id);
  if (!report || report.status === "draft") return { kind: "not_found" };
  const scope = await regionalScopeOf(ctx, who.actor);
  const ref = refOf(report);
  const auditDecision = (outcome: "success" | "denied") =>
    audit.recordFor(ctx, who, { action: `intake.decision.${input.transition}`, resourceType: "report", resourceId: id, livcId: report.livc_id, outcome });
  if (!canScreen(who.actor, ref, scope) && !(input.transition === "close" && transitionActor(who.actor, ref, scope).roles.length > 0)) {
    await auditDecision("denied");
    return { kind: "forbidden" };
  }
  // A handover has its own form and service (handover.ts): it moves the report, which this path cannot.
  const refusal = input.transition === "hand_over" ? "not_allowed" : checkTransition(input.transition, report.status, transitionActor(who.actor, ref, scope));
  if (refusal) {
    await auditDecision("denied");
    return { kind: "refused", reason: refusal };
  }
  const spec = TRANSITIONS[input.transition];
  if (spec.needsReason && !input.reason) return { kind: "invalid", field: "reason", code: "required" };
  if ([...input.reason].length > LIMITS.reason) return { kind: "invalid", field: "reason", code: "too_long" };
  if (spec.needsService && !input.referralService) return { kind: "invalid", field: "referral_service", code: "required" };
  const joinCaseId = input.transition === "join_case" ? (input.caseId ?? "") : "";
  if (input.transition === "join_case") {
    if (!joinCaseId) return { kind: "invalid", field: "case_id", code: "required" };
    const why = await joinRefusal(ctx, report, joinCaseId);
    if (why) {
      await auditDecision("denied");
      return { kind: "not_joinable", reason: why };
    }
  }

  const eventId = newId();
  const reason_enc = await sealReason(ctx, who, { id: eventId, livcId: report.livc_id, allowed: true }, input.reason);
  const to = spec.to;
  let result: { caseId: string | null } | null;
  try {
    result = await db.transaction().execute(async (trx) => {
    let caseId: string | null = null;
    if (input.transition === "take_up" && report.livc_id) {
      // The case starts through the cases module, in this transaction, with the person's identity
      // as reported: read here through intake's personal-data path (audited, in this transaction)
      // and encrypted again by the cases module for the case file. The case's identity holds a
      // name and birth date only: an identity-unknown report (description only) gives none, and its
      // description stays in the report. The blind index goes along for the duplicate search.
      const content = await openReportContent(ctx, who, { id, livcId: report.livc_id, allowed: canScreen(who.actor, ref, scope), contentEnc: report.content_enc, db: trx });
      const identity = report.identity_known === 1 && content.subjectName.trim() ? { fullName: content.subjectName.trim(), dateOfBirth: content.subjectBirthDate || null } : null;
      const opened = await openCaseFromScreening(
        ctx,
        who,
        { livcId: report.livc_id, reportId: id, minor: report.minor === 1, identity, subjectIndex: report.subject_index, screeningDecision: "take_up" },
        { db: trx },
      );
      caseId = opened.id;
    }
    if (joinCaseId && report.livc_id) {
      // Re-checked in the transaction (the case may have closed meanwhile): a refusal rolls everything back.
      const why = await joinReportToCase(ctx, who, { caseId: joinCaseId, livcId: report.livc_id }, trx);
      if (why) throw new JoinRefused(why);
      caseId = joinCaseId;
    }
    const decided = spec.decision ? { decided_at: nowIso() } : {};
    if (!(await store.compareAndSetStatus(trx, id, report.status, { status: to, ...decided, ...(caseId ? { case_id: caseId } : {}) }))) return null;
    await store.insertEvent(trx, {
      id: eventId,
      report_id: id,
      actor_id: who.actor.userId,
      transition: input.transition,
      from_status: report.status,
      to_status: to,
      referral_service: spec.needsService ? input.referralService : null,
      reason_enc,
    });
    await audit.recordFor(ctx, who, { action: `intake.decision.${input.transition}`, resourceType: "report", resourceId: id, livcId: report.livc_id, outcome: "success" }, { db: trx });
    return { caseId };
  });
  } catch (e) {
    if (!(e instanceof JoinRefused)) throw e;
    await auditDecision("denied");
    return { kind: "not_joinable", reason: e.reason };
  }
  if (!result) return { kind: "conflict" };
  if (report.notify_status === 1 && reporterStatusOf(report.status) !== reporterStatusOf(to)) {
    await mailStatusChanged(ctx, report.reporter_user_id, report.reference);
  }
  return { kind: "ok", status: to, caseId: result.caseId };
}

class JoinRefused extends Error {
  constructor(readonly reason: JoinRefusal) {
    super(reason);
  }
}

/**
 * Why this report may not join this case, checked before the transaction (decision 0062): the case
 * must be one the duplicate hint shows for this report (same LIVC, same blind index) and still open.
 * Visibility for the actor is the cases module's check, in the transaction (joinReportToCase).
 */
async function joinRefusal(ctx: AppContext, report: store.ReportRow, caseId: string): Promise<JoinRefusal | "other_person" | null> {
  const c = /^[0-9a-f-]{36}$/i.test(caseId) ? await caseRow(ctx, caseId) : undefined;
  if (!c) return "not_found";
  if (!report.livc_id || c.livc_id !== report.livc_id) return "other_livc";
  if (!report.subject_index || c.subject_index !== report.subject_index) return "other_person";
  if (!isOpenCase(c.status)) return "not_open";
  return null;
}
