import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { precompiled } from "../../platform/db/precompiled";
import type { DB } from "../../platform/db/schema";
import { addDays, newId, nowIso, shortId, toCount, todayInBrussels } from "../../platform/db/values";
import { rolesIn } from "../../platform/policy/actor";
import type { CaseEventKind } from "./migrations";
import * as pd from "./personal";
import { type CaseGrants, caseGrants, casePolicy, visibleCases } from "./policy";
import { casesConfig } from "./config";
import * as store from "./store";
import { CaseError, keptRead, resource, visibleCase } from "./access";
import { FRESH, keptQuery, type ListReads } from "./list-memo";
import {
  availableCaseTransitions,
  CASE_STATUSES,
  type CaseStatus,
  type CaseTransition,
  CASE_TRANSITIONS,
  checkCaseTransition,
  CLOSURE_REASONS,
  type ClosureReason,
} from "./workflow";

export { CASE_STATUSES, CASE_TRANSITIONS, CLOSURE_REASONS, type CaseStatus, type CaseTransition, OPEN_STATUSES as OPEN_CASE_STATUSES } from "./workflow";
export { type CaseGrants, caseGrants, canSeeCase, visibleCases } from "./policy";
export { type CaseClosedListener, type JoinRefusal, joinReportToCase, onCaseClosed, openCaseFromScreening, type OpenCaseInput } from "./opening";
import { caseClosed } from "./opening";
export { CaseError, keptRead, readScope, visibleCase } from "./access";
export { listReads } from "./list-memo";
export { type ActionEdit, type ActionView, actionForEdit, actionsOfCase, addActions, dueReviewsFor, overdueFor, reviewsOfCase, setActionStatus, setNextReview, updateAction } from "./plan";
export { actionAsSaved, actionOwnerChoices, actionOwnerOptions, type OpenActionItem, openActionsFor, registerAcceptedServices } from "./plan";
export { mailActionOwners, runActionMailJobs, sendActionReminders } from "./action-mail";

/**
 * Case use cases. Other modules (intake, meetings, monitoring) call only what this file exports.
 * Every read of a case checks need to know (policy.ts); every change is audited; personal fields
 * go through ./personal (the personal-data path).
 */
export interface CaseView {
  id: string;
  label: string;
  livcId: string;
  status: CaseStatus;
  minor: boolean;
  openedOn: string;
  closedOn: string | null;
  closureReason: ClosureReason | null;
  nextReviewOn: string | null;
  retentionUntil: string | null;
  legalHold: boolean;
  purged: boolean;
  /** Decrypted only for who may see the case; null after the purge. */
  identity: { fullName: string; dateOfBirth: string | null } | null;
  legalHoldReason: string | null;
  closureNote: string | null;
  transitions: CaseTransition[];
  may: { managePlan: boolean; schedule: boolean; draftFeedback: boolean; legalHold: boolean; whoSaw: boolean };
}


export async function getCase(ctx: AppContext, who: AuditWho, id: string): Promise<CaseView> {
  const c = await visibleCase(ctx, who, id);
  const secret = await pd.reveal(ctx, who, resource(c), "case.read", true, {
    identity: { place: { table: "case_file", column: "identity_enc", rowId: c.id }, value: c.identity_enc },
    hold: { place: { table: "case_file", column: "legal_hold_reason_enc", rowId: c.id }, value: c.legal_hold_reason_enc },
    closure: { place: { table: "case_file", column: "closure_note_enc", rowId: c.id }, value: c.closure_note_enc },
  });
  const actor = who.actor ?? null;
  return {
    id: c.id,
    label: c.label ?? shortId(c.id),
    livcId: c.livc_id,
    status: c.status,
    minor: c.minor === 1,
    openedOn: c.opened_on ?? c.opened_at.slice(0, 10),
    closedOn: c.closed_on,
    closureReason: c.closure_reason,
    nextReviewOn: c.next_review_on,
    retentionUntil: c.retention_until,
    legalHold: c.legal_hold_at !== null,
    purged: c.status === "purged",
    identity: secret.identity ? (JSON.parse(secret.identity) as CaseView["identity"]) : null,
    legalHoldReason: secret.hold,
    closureNote: secret.closure,
    transitions: availableCaseTransitions(c.status, { roles: rolesIn(actor, c.livc_id) }),
    may: {
      managePlan: casePolicy.can(actor, "manage_plan", c),
      schedule: casePolicy.can(actor, "schedule", c),
      draftFeedback: casePolicy.can(actor, "draft_feedback", c),
      legalHold: casePolicy.can(actor, "legal_hold", c),
      whoSaw: casePolicy.can(actor, "who_saw", c),
    },
  };
}

export interface CaseListItem { id: string; label: string; livcId: string; status: CaseStatus; openedOn: string; closedOn: string | null; nextReviewOn: string | null }

/** Lists, search (label or name + date of birth through the blind index) and exports: one filter. */
export interface CaseListQuery { status?: CaseStatus[]; q?: string; fullName?: string; dateOfBirth?: string; livcId?: string; reviewBy?: string }

/** The list's status choices: one status, or "open" (every status a case is still followed up in). */
export const LIST_STATUS_CHOICES = ["open", ...CASE_STATUSES] as const;
export type ListStatusChoice = (typeof LIST_STATUS_CHOICES)[number];
export const statusesOf = (choice: ListStatusChoice | undefined): CaseStatus[] | undefined =>
  choice === undefined ? undefined : choice === "open" ? ["active", "in_follow_up", "post_closure_review"] : [choice];
/** The list's review choices: the next review is due (today or before), or falls within 30 days. */
export const REVIEW_CHOICES = ["due", "30"] as const;
export type ReviewChoice = (typeof REVIEW_CHOICES)[number];
export const reviewByOf = (choice: ReviewChoice | undefined, today = todayInBrussels()): string | undefined =>
  choice === undefined ? undefined : choice === "due" ? today : addDays(today, 30);

async function caseFilter(ctx: AppContext, who: AuditWho, f: CaseListQuery): Promise<store.CaseListFilter & { grants: CaseGrants }> {
  const g = await caseGrants(ctx.database.db, who.actor ?? null);
  const subjectIndex = f.fullName?.trim() ? await pd.subjectIndexOf(ctx, f.fullName, f.dateOfBirth ?? null) : undefined;
  const label = f.q?.trim();
  return { grants: g, visible: visibleCases(g), status: f.status, labelLike: label ? store.labelLike(label) : undefined, subjectIndex, livcId: f.livcId, reviewBy: f.reviewBy };
}

// The case list's page and count are compiled once per shape (platform/db/precompiled.ts; issue 9). The
// grants are bound values and the condition is the policy's own (visibleCases), as for every other list.
type ListArgs = [livcIds: readonly string[], caseIds: readonly string[], status: readonly string[], livcId: string | null, label: string | null, subject: string | null, reviewBy: string | null];
const listFilterOf = (...[livcIds, caseIds, status, livcId, label, subject, reviewBy]: ListArgs): store.CaseListFilter => ({
  visible: visibleCases({ userId: null, livcIds: [...livcIds], caseIds: [...caseIds] }),
  status: status.length > 0 ? (status as CaseStatus[]) : undefined,
  livcId: livcId ?? undefined,
  labelLike: label ?? undefined,
  subjectIndex: subject ?? undefined,
  reviewBy: reviewBy ?? undefined,
});
const listPageQuery = precompiled((db, ...args: [...ListArgs, limit: number, offset: number]) =>
  store.caseListQuery(db, listFilterOf(...(args.slice(0, 7) as ListArgs)), { limit: args[7], offset: args[8] }),
);
const listCountQuery = precompiled((db, ...args: ListArgs) => store.caseCountQuery(db, listFilterOf(...args)));
const listArgs = (f: Awaited<ReturnType<typeof caseFilter>>): ListArgs => [f.grants.livcIds, f.grants.caseIds, f.status ?? [], f.livcId ?? null, f.labelLike ?? null, f.subjectIndex ?? null, f.reviewBy ?? null];

const toListItem = (c: Awaited<ReturnType<typeof store.listCases>>[number]): CaseListItem => ({
  id: c.id,
  label: c.label ?? shortId(c.id),
  livcId: c.livc_id,
  status: c.status,
  openedOn: c.opened_on ?? c.opened_at.slice(0, 10),
  closedOn: c.closed_on,
  nextReviewOn: c.next_review_on,
});

/** Cases the actor needs to know, newest first: at most `limit` (default 500). */
export async function listCases(ctx: AppContext, who: AuditWho, f: CaseListQuery & { limit?: number } = {}): Promise<CaseListItem[]> {
  const filter = await caseFilter(ctx, who, f);
  const rows = await store.listCases(ctx.database.db, filter, { limit: f.limit ?? 500 });
  if (filter.subjectIndex) await pd.record(ctx, who, { type: "case", id: "search", livcId: null }, "case.search.person");
  return rows.map(toListItem);
}

/** Rows per page of the case list. */
export const CASE_PAGE_SIZE = 50;

/** One page (1-based) of the same list, with the total; a page past the end gives the last page. */
export async function casePage(ctx: AppContext, who: AuditWho, f: CaseListQuery, page: number, size = CASE_PAGE_SIZE, reads: ListReads = FRESH) {
  const filter = await caseFilter(ctx, who, f);
  const args = listArgs(filter);
  // A search by person is read fresh (and audited below); the list itself may come from the list memo (decision 0075).
  const memo = filter.subjectIndex ? FRESH : reads;
  const db = ctx.database.db;
  const total = toCount((await keptQuery(memo, "count", listCountQuery, db, ...args))[0]?.n);
  const pages = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = total === 0 ? [] : await keptQuery(memo, "page", listPageQuery, db, ...args, size, (current - 1) * size);
  if (filter.subjectIndex) await pd.record(ctx, who, { type: "case", id: "search", livcId: null }, "case.search.person");
  return { items: listItemsOf(rows), total, page: current, pages, size };
}

const keptItems = new WeakMap<object, CaseListItem[]>();

/**
 * The list items of rows. Rows kept by the list memo are frozen and shared between views (decision
 * 0075): their items are made once, frozen too, so the same rows give the same items object, which the
 * rows fragment then keys by (platform/web/fragments.ts) instead of writing their JSON on every view.
 */
function listItemsOf(rows: Parameters<typeof toListItem>[0][]): CaseListItem[] {
  if (!Object.isFrozen(rows)) return rows.map(toListItem);
  let items = keptItems.get(rows);
  if (!items) {
    items = Object.freeze(rows.map((r) => Object.freeze(toListItem(r)))) as CaseListItem[];
    keptItems.set(rows, items);
  }
  return items;
}

export interface TimelineEntry { at: string; kind: CaseEventKind; fromStatus: CaseStatus | null; toStatus: CaseStatus | null; reason: string | null; consultationId: string | null; note: string | null }

export async function timeline(ctx: AppContext, who: AuditWho, id: string): Promise<TimelineEntry[]> {
  const c = await visibleCase(ctx, who, id);
  const events = await keptRead(who, "eventsOf", store.eventsOf, ctx.database.db, c.id);
  const notes = await pd.reveal(
    ctx,
    who,
    resource(c),
    "case.timeline.read",
    true,
    Object.fromEntries(events.map((e) => [e.id, { place: { table: "case_event", column: "note_enc", rowId: e.id }, value: e.note_enc }])),
  );
  return events.map((e) => ({ at: e.at, kind: e.kind, fromStatus: e.from_status, toStatus: e.to_status, reason: e.reason, consultationId: e.consultation_id, note: notes[e.id] }));
}

/** Adds a timeline entry (other modules: meetings scheduled, minuted). Note is encrypted. */
export async function addTimelineEntry(
  ctx: AppContext,
  db: Kysely<DB>,
  e: { who: AuditWho; caseId: string; livcId: string; kind: CaseEventKind; consultationId?: string | null; reason?: string | null; note?: string | null },
): Promise<void> {
  const id = newId();
  await store.insertEvent(db, {
    id,
    case_id: e.caseId,
    actor_id: e.who.actor?.userId ?? null,
    kind: e.kind,
    from_status: null,
    to_status: null,
    reason: e.reason ?? null,
    consultation_id: e.consultationId ?? null,
    note_enc: await pd.seal(ctx, e.who, { table: "case_event", column: "note_enc", rowId: id, livcId: e.livcId }, e.note ?? null, { db }),
  });
}

/**
 * A content-free timeline entry for a change to a planned consultation (meetings, decision 0043):
 * the kind, who, when and the consultation; never a note or a reason. Written in the caller's
 * transaction (`db`), beside the change and its audit entry.
 */
export async function recordPlanningEvent(db: Kysely<DB>, e: { who: AuditWho; caseId: string; consultationId: string; kind: "agenda_removed" | "consultation_cancelled" }): Promise<void> {
  await store.insertEvent(db, { id: newId(), case_id: e.caseId, actor_id: e.who.actor?.userId ?? null, kind: e.kind, from_status: null, to_status: null, reason: null, consultation_id: e.consultationId, note_enc: null });
}

// -----------------------------------------------------------------------------------------------
// Status changes: the transition table decides.

/** Post-closure review months, e.g. [6, 12] (SCHAKEL_POST_CLOSURE_REVIEW_MONTHS). */
export const reviewMonths = (): number[] => casesConfig().reviewMonths;

export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString().slice(0, 10);
}

/** The retention end for a case closed on closedOn: shorter for minors (configurable). */
export function retentionUntil(ctx: AppContext, closedOn: string, minor: boolean): string {
  const years = minor ? ctx.config.SCHAKEL_RETENTION_MINOR_YEARS : ctx.config.SCHAKEL_RETENTION_YEARS;
  return addDays(closedOn, Math.round(years * 365.25));
}

export async function transitionCase(
  ctx: AppContext,
  who: AuditWho,
  id: string,
  t: CaseTransition,
  input: { reason?: string | null; note?: string | null; today?: string } = {},
): Promise<CaseStatus> {
  const c = await visibleCase(ctx, who, id);
  const refusal = checkCaseTransition(t, c.status, { roles: rolesIn(who.actor ?? null, c.livc_id) });
  if (refusal) {
    await pd.record(ctx, who, resource(c), `case.${t}`, "denied");
    throw new CaseError(refusal);
  }
  const spec = CASE_TRANSITIONS[t];
  const reason = input.reason?.trim() || null;
  if (t === "close" && !(CLOSURE_REASONS as readonly string[]).includes(reason ?? "")) throw new CaseError("reason_required", "reason");
  if (spec.needsReason && !reason) throw new CaseError("reason_required", "reason");
  await pd.ready(ctx);
  const today = input.today ?? todayInBrussels();
  const to = spec.to;
  const after = await ctx.database.db.transaction().execute(async (trx) => {
    const set: Parameters<typeof store.updateCase>[2] = { status: to };
    if (t === "close") {
      set.closed_on = today;
      set.closure_reason = reason as ClosureReason;
      set.closure_note_enc = await pd.seal(ctx, who, { table: "case_file", column: "closure_note_enc", rowId: c.id, livcId: c.livc_id }, input.note?.trim() || null, { db: trx });
      set.retention_until = retentionUntil(ctx, today, c.minor === 1);
      await store.insertReviews(trx, c, reviewMonths().map((m) => ({ months: m, due_on: addMonths(today, m) })));
    }
    if (t === "reopen") {
      set.closed_on = null;
      set.closure_reason = null;
      set.retention_until = null;
      await store.cancelOpenReviews(trx, c.id);
    }
    if (t === "finish_review") await store.completeDueReview(trx, c.id, who.actor?.userId ?? "", "no_renewed_concern", today);
    await store.updateCase(trx, c.id, set);
    const eventId = newId();
    await store.insertEvent(trx, {
      id: eventId,
      case_id: c.id,
      actor_id: who.actor?.userId ?? null,
      kind: "transition",
      from_status: c.status,
      to_status: to,
      reason: t === "close" ? reason : null,
      consultation_id: null,
      note_enc: await pd.seal(ctx, who, { table: "case_event", column: "note_enc", rowId: eventId, livcId: c.livc_id }, t === "close" ? null : reason, { db: trx }),
    });
    await pd.record(ctx, who, resource(c), `case.${t}`, "success", { db: trx });
    // Closing a case closes the report(s) it came from, in this transaction (decision 0062; intake
    // listens). Reopening does not reopen them: the reporter's concern was followed up and closed.
    return t === "close" ? caseClosed(ctx, trx, who, { id: c.id, livcId: c.livc_id, reason: reason ?? "other" }) : [];
  });
  // After the commit, best effort: the reporter's status mail must not undo a stored close.
  for (const work of after) await work().catch(() => undefined);
  return to;
}

// -----------------------------------------------------------------------------------------------
// Legal hold: blocks the retention purge, always with a reason.

export async function setLegalHold(ctx: AppContext, who: AuditWho, id: string, reason: string | null): Promise<void> {
  const c = await visibleCase(ctx, who, id);
  if (!casePolicy.can(who.actor ?? null, "legal_hold", c)) throw new CaseError("not_allowed");
  if (c.status === "purged") throw new CaseError("wrong_status");
  const text = reason?.trim() ?? "";
  await pd.ready(ctx);
  await ctx.database.db.transaction().execute(async (trx) => {
    if (text) {
      await store.updateCase(trx, c.id, {
        legal_hold_at: nowIso(),
        legal_hold_by: who.actor?.userId ?? null,
        legal_hold_reason_enc: await pd.seal(ctx, who, { table: "case_file", column: "legal_hold_reason_enc", rowId: c.id, livcId: c.livc_id }, text, { db: trx }),
      });
    } else {
      if (c.legal_hold_at === null) throw new CaseError("reason_required", "reason");
      await store.updateCase(trx, c.id, { legal_hold_at: null, legal_hold_by: null, legal_hold_reason_enc: null });
    }
    await store.insertEvent(trx, { case_id: c.id, actor_id: who.actor?.userId ?? null, kind: text ? "legal_hold_set" : "legal_hold_lifted", from_status: null, to_status: null, reason: null, consultation_id: null, note_enc: null });
    await pd.record(ctx, who, resource(c), text ? "case.legal_hold.set" : "case.legal_hold.lift", "success", { db: trx });
  });
}

/**
 * Labels and statuses by id, WITHOUT a need-to-know check: only for ids the caller has already
 * filtered with caseGrants/canSeeCase (the meetings agenda does). Labels are pseudonymous.
 */
export async function labelsOf(ctx: AppContext, ids: string[]): Promise<Map<string, { label: string; livcId: string; status: CaseStatus }>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.database.db.selectFrom("case_file").select(["id", "label", "livc_id", "status"]).where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, { label: r.label ?? shortId(r.id), livcId: r.livc_id, status: r.status }]));
}

/**
 * Earlier cases of the same person in an LIVC (intake's duplicate check at screening), found by the
 * blind index. Returns ids, labels and statuses only.
 */
export async function casesOfSubject(ctx: AppContext, livcId: string, subjectIndex: string) {
  return ctx.database.db
    .selectFrom("case_file")
    .select(["id", "label", "livc_id", "status", "opened_at"])
    .where("livc_id", "=", livcId)
    .where("subject_index", "=", subjectIndex)
    .orderBy("opened_at", "asc")
    .execute();
}

/** Logs a list export (CSV/API): who exported how many cases. */
export const recordCaseExport = (ctx: AppContext, who: AuditWho, count: number) =>
  pd.record(ctx, who, { type: "case", id: `export:${count}`, livcId: null }, "case.export");

export const caseRow = (ctx: AppContext, id: string) => store.caseById(ctx.database.db, id);
export { purgeLog, registerCasePurger, runPurge, type PurgeReport } from "./retention";

/**
 * Need-to-know grants from one consultation for one partner member: the meetings module says which
 * cases of that consultation the person may now see (invited, accepted, acknowledged); grants no
 * longer justified are revoked (kept as history). Audited per change.
 */
export async function syncConsultationGrants(ctx: AppContext, who: AuditWho, consultationId: string, userId: string, caseIds: string[]): Promise<void> {
  const want = new Set(caseIds);
  const held = async (db: Kysely<DB>) => (await store.grantsOfConsultation(db, consultationId)).filter((g) => g.user_id === userId);
  const changes = (current: Awaited<ReturnType<typeof held>>) => ({
    revoke: current.filter((g) => !want.has(g.case_id)),
    add: [...want].filter((caseId) => !current.some((g) => g.case_id === caseId)),
  });
  // Every meeting page view syncs: most find nothing to change and open no transaction.
  const first = changes(await held(ctx.database.db));
  if (first.revoke.length === 0 && first.add.length === 0) return;
  // Each revoke/add commits with its audit entry (all or nothing); re-read inside, a concurrent view may have synced.
  const work = async (db: Kysely<DB>) => {
    const { revoke, add } = changes(await held(db));
    for (const g of revoke) {
      await store.revokeGrant(db, g.id);
      await pd.record(ctx, who, { type: "case", id: g.case_id, livcId: null }, "case.grant.revoke", "success", { db });
    }
    for (const caseId of add) {
      await store.insertGrant(db, { case_id: caseId, user_id: userId, consultation_id: consultationId });
      const c = await store.caseById(db, caseId);
      await pd.record(ctx, who, { type: "case", id: caseId, livcId: c?.livc_id ?? null }, "case.grant.add", "success", { db });
    }
  };
  const db = ctx.database.db;
  await (db.isTransaction ? work(db) : db.transaction().execute(work));
}
export {
  attestFeedback,
  type ConsultationFacts,
  consensusOf,
  draftFeedback,
  editFeedback,
  FeedbackConsultationError,
  type FeedbackView,
  feedbackOfCase,
  getFeedback,
  markFeedbackSent,
  registerConsultationFacts,
  voteFeedback,
} from "./feedback";
export { type QuarterFigures, quarterlyFigures, quarterOf } from "./figures";
export { registerCaseContent, registerSubjectRecords, SubjectAccessDenied, type SubjectAccessExport, subjectAccessExport, subjectAccessPdf } from "./subject-access";
export {
  type CaseIdentityForEdit,
  caseForLinkedRectify,
  caseIdentityForEdit,
  checkIdentityInput,
  type CorrectedIdentity,
  type LinkedRecord,
  registerLinkedRecords,
  writeCaseIdentity,
  type IdentityErrors,
  type IdentityInput,
  identityBody,
  isRectifyReason,
  mayRectifyCase,
  RECTIFY_REASONS,
  type RectifiableRecord,
  rectifiableRecords,
  rectifyCaseIdentity,
  RectifyInvalid,
  type RectifyReason,
  registerRectifiable,
} from "./rectify";
