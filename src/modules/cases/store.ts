import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from "kysely";
import type { DB } from "../../platform/db/schema";
import { newId, nowIso, toCount } from "../../platform/db/values";
import type { ActionStatus, CaseActionTable, CaseEventTable, CaseFileTable, FeedbackFormTable } from "./migrations";
import type { CaseStatus } from "./workflow";
import { precompiled } from "../../platform/db/precompiled";
import { everyColumn } from "../../platform/db/columns";
import { extend } from "../../platform/objects";

/** Case queries. Only service.ts (and this module's policy) call these; other modules use service.ts. */
type Db = Kysely<DB>;

export type CaseRow = CaseFileTable;
export type ActionRow = CaseActionTable;

/** "column in ids", false (not an error) for no ids. */
export function inIds(column: Expression<unknown>, ids: readonly string[]): Expression<SqlBool> {
  if (ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${column} in (${sql.join(ids.map((id) => sql`${id}`))})`;
}

/**
 * A condition checked on each joined row and kept out of PostgreSQL's row estimates (issue 9, session 10): the
 * read scope on the case of a work-list row. PostgreSQL multiplied the scope's selectivity (the case's cell) with
 * the list's own cell condition, though they are one fact (an action's or review's cell is its case's cell),
 * estimated a single row, and hashed every case of the cell instead of walking the list's index in due order and
 * stopping at the limit (1.1 ms a list per case list request at scale 1). The same predicate as a CASE keeps the
 * scope exactly (NULL excludes the row, as in WHERE) and lets the walk stop early.
 */
export const checkedPerRow = (condition: Expression<SqlBool>): Expression<SqlBool> => sql<SqlBool>`(case when ${condition} then 1 = 1 else 1 = 0 end)`;

// The reads of every case page view are compiled once (platform/db/precompiled.ts; issue 9), with their
// columns named (platform/db/columns.ts).
const CASE_COLUMNS = everyColumn<CaseFileTable>()("case_file", ["id", "livc_id", "source_report_id", "subject_index", "minor", "status", "opened_at", "opened_by", "retention_until", "label", "label_search", "identity_enc", "screening_decision", "opened_on", "closed_on", "closure_reason", "closure_note_enc", "next_review_on", "legal_hold_reason_enc", "legal_hold_at", "legal_hold_by", "purged_at", "updated_at"]);
const EVENT_COLUMNS = everyColumn<CaseEventTable>()("case_event", ["id", "case_id", "at", "actor_id", "kind", "from_status", "to_status", "reason", "consultation_id", "note_enc"]);
const ACTION_COLUMNS = everyColumn<CaseActionTable>()("case_action", ["id", "case_id", "consultation_id", "description_enc", "owner_organisation_id", "due_on", "status", "created_at", "created_by", "updated_at", "livc_id", "revision", "owner_mailed_at", "reminded_at"]);
const FEEDBACK_COLUMNS = everyColumn<FeedbackFormTable>()("feedback_form", ["id", "case_id", "consultation_id", "livc_id", "drafted_by", "content_enc", "revision", "attested_no_secrecy_at", "status", "sent_at", "sent_by", "created_at", "updated_at"]);
const caseByIdQuery = precompiled((db, id: string) => db.selectFrom("case_file").select(CASE_COLUMNS).where("id", "=", id));
export const caseById = async (db: Db, id: string) => (await caseByIdQuery(db, id))[0];

export async function nextLabelNumber(db: Db, livcId: string, year: number): Promise<number> {
  const row = await db.selectFrom("case_label_counter").select("last").where("livc_id", "=", livcId).where("year", "=", year).executeTakeFirst();
  if (!row) {
    await db.insertInto("case_label_counter").values({ livc_id: livcId, year, last: 1 }).execute();
    return 1;
  }
  const next = Number(row.last) + 1;
  await db.updateTable("case_label_counter").set({ last: next }).where("livc_id", "=", livcId).where("year", "=", year).execute();
  return next;
}

export const insertCase = (db: Db, row: CaseFileTable) => db.insertInto("case_file").values(row).execute();

export const updateCase = (db: Db, id: string, set: Partial<CaseFileTable>) =>
  db.updateTable("case_file").set(extend(set, { updated_at: nowIso() })).where("id", "=", id).execute();

/**
 * Adds a timeline event. Without an explicit time it is stamped strictly after the case's last
 * event (one millisecond later when the clock has not moved on), so a timeline written within
 * one millisecond, or across a clock step back, still reads in the order it happened.
 */
export async function insertEvent(db: Db, e: Omit<CaseEventTable, "id" | "at"> & { at?: string; id?: string }): Promise<string> {
  const id = e.id ?? newId();
  let at = e.at;
  if (at === undefined) {
    at = nowIso();
    const last = await db.selectFrom("case_event").select((eb) => eb.fn.max("at").as("at")).where("case_id", "=", e.case_id).executeTakeFirst();
    if (last?.at && last.at >= at) at = new Date(Date.parse(last.at) + 1).toISOString();
  }
  await db
    .insertInto("case_event")
    .values({ id, at, case_id: e.case_id, actor_id: e.actor_id, kind: e.kind, from_status: e.from_status, to_status: e.to_status, reason: e.reason, consultation_id: e.consultation_id, note_enc: e.note_enc })
    .execute();
  return id;
}

export const eventsOf = precompiled((db, caseId: string) => db.selectFrom("case_event").select(EVENT_COLUMNS).where("case_id", "=", caseId).orderBy("at").orderBy("id"));

export interface CaseListFilter {
  visible: (eb: { ref: (c: "case_file.id" | "case_file.livc_id") => Expression<unknown> }) => Expression<SqlBool>;
  status?: CaseStatus[];
  /** A `like` pattern on label_search (labelLike). */
  labelLike?: string;
  subjectIndex?: string;
  livcId?: string;
  /** Only cases whose next review is on or before this day ("YYYY-MM-DD"), soonest first. */
  reviewBy?: string;
}

/** The pattern finding a label fragment: labels are kept lower-cased in label_search; wildcards typed are dropped. */
export const labelLike = (text: string) => `%${text.toLowerCase().replace(/[%_\\]/g, "")}%`;

function filteredCases(db: Db, f: CaseListFilter) {
  let q = db.selectFrom("case_file").where((eb) => f.visible(eb));
  if (f.status && f.status.length > 0) q = q.where("status", "in", f.status);
  if (f.livcId) q = q.where("livc_id", "=", f.livcId);
  if (f.labelLike) q = q.where("label_search", "like", f.labelLike);
  if (f.subjectIndex) q = q.where("subject_index", "=", f.subjectIndex);
  if (f.reviewBy) q = q.where("next_review_on", "<=", f.reviewBy);
  return q;
}

/**
 * The one list query: the visibility condition (from policy.ts) is always applied. Newest first,
 * `limit` rows from `offset` (index case_file(livc_id, opened_at): a page is read in order, not sorted);
 * with `reviewBy`, the soonest review first (planning the next consultation's agenda).
 */
export function listCases(db: Db, f: CaseListFilter, page: { limit: number; offset?: number } = { limit: 500 }) {
  return caseListQuery(db, f, page).execute();
}

/** The list query itself, not run (the case list compiles it once: service.ts casePage). */
export const caseListQuery = (db: Db, f: CaseListFilter, page: { limit: number; offset?: number }) =>
  // Only what a list shows: no ciphertext columns are read for a list of labels (issue 9).
  (f.reviewBy
    ? filteredCases(db, f)
        .select(["id", "label", "livc_id", "status", "opened_on", "opened_at", "closed_on", "next_review_on"])
        .orderBy("next_review_on")
        .orderBy("label")
    : filteredCases(db, f)
        .select(["id", "label", "livc_id", "status", "opened_on", "opened_at", "closed_on", "next_review_on"])
        .orderBy("opened_at", "desc")
        .orderBy("label", "desc")
  )
    .limit(page.limit)
    .offset(page.offset ?? 0);

/** How many cases the same filter gives (for "page 2 of 9"), not run (service.ts casePage compiles it once). */
export const caseCountQuery = (db: Db, f: CaseListFilter) => filteredCases(db, f).select((eb) => eb.fn.countAll().as("n"));

// --- need-to-know grants (partner members) ---------------------------------------------------

export const activeGrantsOf = (db: Db, userId: string) =>
  db
    .selectFrom("case_access_grant")
    .innerJoin("case_file", "case_file.id", "case_access_grant.case_id")
    .select(["case_access_grant.case_id", "case_file.livc_id"])
    .where("case_access_grant.user_id", "=", userId)
    .where("case_access_grant.revoked_at", "is", null)
    .execute();

export const grantsOfConsultation = (db: Db, consultationId: string) =>
  db.selectFrom("case_access_grant").selectAll().where("consultation_id", "=", consultationId).where("revoked_at", "is", null).execute();

export async function insertGrant(db: Db, g: { case_id: string; user_id: string; consultation_id: string }) {
  await db.insertInto("case_access_grant").values({ id: newId(), ...g, granted_at: nowIso(), revoked_at: null }).execute();
}

export const revokeGrant = (db: Db, id: string) => db.updateTable("case_access_grant").set({ revoked_at: nowIso() }).where("id", "=", id).execute();

// --- follow-up plan --------------------------------------------------------------------------

export const insertAction = (db: Db, a: CaseActionTable) => db.insertInto("case_action").values(a).execute();
export const actionById = (db: Db, id: string) => db.selectFrom("case_action").selectAll().where("id", "=", id).executeTakeFirst();
export const actionsOf = precompiled((db, caseId: string) => db.selectFrom("case_action").select(ACTION_COLUMNS).where("case_id", "=", caseId).orderBy("due_on").orderBy("created_at"));
/**
 * Changes an open action only if it is still at the revision the editor loaded (decision 0061):
 * false when someone changed it, or marked it done or cancelled, in the meantime (nothing written).
 * A new owner is told again (owner_mailed_at cleared) and a new owner or due date gets its reminder.
 */
export async function updateAction(
  db: Db,
  id: string,
  expectedRevision: number,
  patch: { description_enc: string | null; owner_organisation_id: string; due_on: string },
  marks: { ownerChanged: boolean; dueChanged: boolean },
): Promise<boolean> {
  const r = await db
    .updateTable("case_action")
    .set((eb) => extend(patch, {
      updated_at: nowIso(),
      revision: eb("revision", "+", 1),
      ...(marks.ownerChanged ? { owner_mailed_at: null } : {}),
      ...(marks.ownerChanged || marks.dueChanged ? { reminded_at: null } : {}),
    }))
    .where("id", "=", id)
    .where("revision", "=", expectedRevision)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
export const setActionStatus = (db: Db, id: string, status: ActionStatus) =>
  db.updateTable("case_action").set((eb) => ({ status, updated_at: nowIso(), revision: eb("revision", "+", 1) })).where("id", "=", id).execute();

/** Open actions of these organisations on the cases the filter lets through, by due date (the work list, decision 0061). */
export function openActionsQuery(db: Db, f: { visible: CaseListFilter["visible"]; ownerOrganisationIds: readonly string[]; limit?: number }) {
  let q = db
    .selectFrom("case_action")
    .innerJoin("case_file", "case_file.id", "case_action.case_id")
    .select(["case_action.id", "case_action.case_id", "case_action.owner_organisation_id", "case_action.due_on", "case_action.status", "case_file.label", "case_file.livc_id"])
    .where((eb) => f.visible(eb))
    .where((eb) => inIds(eb.ref("case_action.owner_organisation_id"), f.ownerOrganisationIds))
    .where("case_action.status", "=", "open")
    .where("case_file.status", "!=", "purged");
  if (f.limit !== undefined) q = q.limit(f.limit);
  return q.orderBy("case_action.due_on").orderBy("case_action.id");
}

// --- telling action owners (decision 0061) -------------------------------------------------------

export interface ActionToTell { id: string; case_id: string; livc_id: string; owner_organisation_id: string; due_on: string }

const tellColumns = ["case_action.id", "case_action.case_id", "case_file.livc_id", "case_action.owner_organisation_id", "case_action.due_on"] as const;

/** Open actions on open cases whose owner was not told yet. */
export const actionsNotMailed = (db: Db): Promise<ActionToTell[]> =>
  db
    .selectFrom("case_action")
    .innerJoin("case_file", "case_file.id", "case_action.case_id")
    .select([...tellColumns])
    .where("case_action.owner_mailed_at", "is", null)
    .where("case_action.status", "=", "open")
    .where("case_file.status", "in", ["active", "in_follow_up"])
    .orderBy("case_action.created_at")
    .orderBy("case_action.id")
    .execute();

/** Open actions on open cases due from `from` to `until` (inclusive) not reminded yet. */
export const actionsToRemind = (db: Db, from: string, until: string): Promise<ActionToTell[]> =>
  db
    .selectFrom("case_action")
    .innerJoin("case_file", "case_file.id", "case_action.case_id")
    .select([...tellColumns])
    .where("case_action.status", "=", "open")
    .where("case_action.due_on", ">=", from)
    .where("case_action.due_on", "<=", until)
    .where("case_action.reminded_at", "is", null)
    .where("case_file.status", "in", ["active", "in_follow_up"])
    .orderBy("case_action.due_on")
    .orderBy("case_action.id")
    .execute();

/** Marks an action told (or reminded) if it still is open and unmarked: true when this run got it. */
export async function claimActionMail(db: Db, id: string, column: "owner_mailed_at" | "reminded_at"): Promise<boolean> {
  const r = await db.updateTable("case_action").set({ [column]: nowIso() }).where("id", "=", id).where("status", "=", "open").where(column, "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The partner members holding an active grant for this case (decision 0015). */
export const activeGrantHolders = async (db: Db, caseId: string): Promise<string[]> =>
  (await db.selectFrom("case_access_grant").select("user_id").distinct().where("case_id", "=", caseId).where("revoked_at", "is", null).execute()).map((r) => r.user_id);

export interface OverdueFilter {
  visible: CaseListFilter["visible"];
  today: string;
  ownerOrganisationIds?: readonly string[];
  livcIds?: readonly string[];
  limit?: number;
}

/**
 * Open actions past their due date, limited to cases the caller may see and (optionally) owners or
 * cells. With `livcIds` the actions are read by cell from their own index (case_action_livc_open)
 * and the case visibility is still applied to the joined case. Not run here: plan.ts compiles it once.
 */
export function overdueActionsQuery(db: Db, f: OverdueFilter) {
  let q = db
    .selectFrom("case_action")
    .innerJoin("case_file", "case_file.id", "case_action.case_id")
    .select(["case_action.id", "case_action.case_id", "case_action.owner_organisation_id", "case_action.due_on", "case_action.status", "case_file.label", "case_file.livc_id"])
    // Read by cell, the scope is checked on each row the cell's index gives (checkedPerRow).
    .where((eb) => (f.livcIds ? checkedPerRow(f.visible(eb)) : f.visible(eb)))
    .where("case_action.status", "=", "open")
    .where("case_action.due_on", "<", f.today)
    .where("case_file.status", "!=", "purged");
  if (f.ownerOrganisationIds) q = q.where((eb) => inIds(eb.ref("case_action.owner_organisation_id"), f.ownerOrganisationIds!));
  if (f.livcIds) q = q.where((eb) => inIds(eb.ref("case_action.livc_id"), f.livcIds!));
  if (f.limit !== undefined) q = q.limit(f.limit);
  // Due date only: the cell's index (livc_id, status, due_on) then gives the rows in order and a limit stops early.
  return q.orderBy("case_action.due_on");
}

// --- post-closure reviews --------------------------------------------------------------------

export async function insertReviews(db: Db, c: { id: string; livc_id: string }, due: { months: number; due_on: string }[]) {
  for (const d of due) await db.insertInto("case_review").values({ id: newId(), case_id: c.id, livc_id: c.livc_id, months: d.months, due_on: d.due_on, done_at: null, done_by: null, outcome: null }).execute();
}

export const reviewsOf = (db: Db, caseId: string) => db.selectFrom("case_review").selectAll().where("case_id", "=", caseId).orderBy("due_on").execute();

export const dueReviews = (db: Db, f: { livcIds: string[]; until: string; limit?: number }) => dueReviewsQuery(db, f.livcIds, f.until, f.limit ?? null);

// Read by cell from the reviews' own index (case_review_livc_due: open reviews of the cell due by
// then), each joined to its case by primary key (issue 9: 18 -> 3 -> well under 1 ms at 100,000 cases).
const dueReviewsQuery = precompiled((db, livcIds: readonly string[], until: string, limit: number | null) =>
  db
    .selectFrom("case_review")
    .innerJoin("case_file", "case_file.id", "case_review.case_id")
    .select(["case_review.id", "case_review.case_id", "case_review.months", "case_review.due_on", "case_file.label", "case_file.status", "case_file.livc_id"])
    .where((eb) => inIds(eb.ref("case_review.livc_id"), livcIds))
    .where((eb) => checkedPerRow(inIds(eb.ref("case_file.livc_id"), livcIds)))
    .where("case_review.done_at", "is", null)
    .where("case_review.due_on", "<=", until)
    .where("case_file.status", "in", ["closed", "post_closure_review"])
    .orderBy("case_review.due_on")
    .$if(limit !== null, (q) => q.limit(limit as number)),
);

/** Marks the earliest open, due review of a case as done. */
export async function completeDueReview(db: Db, caseId: string, by: string, outcome: string, today: string) {
  const r = await db
    .selectFrom("case_review")
    .select("id")
    .where("case_id", "=", caseId)
    .where("done_at", "is", null)
    .where("due_on", "<=", today)
    .orderBy("due_on")
    .executeTakeFirst();
  if (r) await db.updateTable("case_review").set({ done_at: nowIso(), done_by: by, outcome }).where("id", "=", r.id).execute();
}

export const cancelOpenReviews = (db: Db, caseId: string) =>
  db.updateTable("case_review").set({ done_at: nowIso(), outcome: "cancelled" }).where("case_id", "=", caseId).where("done_at", "is", null).execute();

// --- retention -------------------------------------------------------------------------------

/** The purge rule, in one place: a closed case whose retention term ended on or before `today`. */
const purgeDue = (eb: ExpressionBuilder<DB, "case_file">, today: string) =>
  eb.and([eb("status", "=", "closed"), eb("retention_until", "is not", null), eb("retention_until", "<=", today)]);

/** The cases due on `today`, legal holds included (the run reports those as held). */
export const purgeCandidates = (db: Db, today: string) =>
  db
    .selectFrom("case_file")
    .selectAll()
    .where((eb) => purgeDue(eb, today))
    .orderBy("retention_until")
    .execute();

/**
 * Claims a case for its purge, as the FIRST statement of the purge's transaction (decision 0065):
 * marks it purged only if it is still due and not on legal hold now. False: a hold, a reopen or
 * another run got there since the candidates were read, and the caller leaves the case alone. The
 * conditional update decides on the current row (PostgreSQL waits for a concurrent writer and checks
 * again; SQLite's writer lock is taken by this first write, so it reads the latest state).
 */
export async function claimCaseForPurge(db: Db, caseId: string, today: string): Promise<boolean> {
  const at = nowIso();
  const r = await db
    .updateTable("case_file")
    .set({ status: "purged", purged_at: at, updated_at: at })
    .where("id", "=", caseId)
    .where((eb) => purgeDue(eb, today))
    .where("legal_hold_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0) === 1;
}

export async function countContent(db: Db, caseId: string) {
  const [events, actions, forms] = await Promise.all([
    db.selectFrom("case_event").select((eb) => eb.fn.countAll().as("n")).where("case_id", "=", caseId).where("note_enc", "is not", null).executeTakeFirst(),
    db.selectFrom("case_action").select((eb) => eb.fn.countAll().as("n")).where("case_id", "=", caseId).where("description_enc", "is not", null).executeTakeFirst(),
    db.selectFrom("feedback_form").select((eb) => eb.fn.countAll().as("n")).where("case_id", "=", caseId).where("content_enc", "is not", null).executeTakeFirst(),
  ]);
  return { eventNotes: toCount(events?.n), actionDescriptions: toCount(actions?.n), feedbackForms: toCount(forms?.n) };
}

/** Blanks every personal field of a case in this module's tables (the caller logs what). */
export async function blankCaseContent(db: Db, caseId: string) {
  await db
    .updateTable("case_file")
    .set({ identity_enc: null, subject_index: null, closure_note_enc: null, legal_hold_reason_enc: null, source_report_id: null, updated_at: nowIso() })
    .where("id", "=", caseId)
    .execute();
  await db.updateTable("case_event").set({ note_enc: null }).where("case_id", "=", caseId).execute();
  await db.updateTable("case_action").set({ description_enc: null }).where("case_id", "=", caseId).execute();
  await db.updateTable("feedback_form").set({ content_enc: null }).where("case_id", "=", caseId).execute();
}

export const insertPurgeLog = (db: Db, row: DB["case_purge_log"]) => db.insertInto("case_purge_log").values(row).execute();
export const purgeLog = (db: Db, limit = 200) => db.selectFrom("case_purge_log").selectAll().orderBy("purged_at", "desc").limit(limit).execute();

// --- feedback form ---------------------------------------------------------------------------

export const insertFeedback = (db: Db, row: DB["feedback_form"]) => db.insertInto("feedback_form").values(row).execute();
export const feedbackById = (db: Db, id: string) => db.selectFrom("feedback_form").selectAll().where("id", "=", id).executeTakeFirst();
export const feedbackOfCase = precompiled((db, caseId: string) => db.selectFrom("feedback_form").select(FEEDBACK_COLUMNS).where("case_id", "=", caseId).orderBy("created_at"));
export const updateFeedback = (db: Db, id: string, set: Partial<DB["feedback_form"]>) =>
  db.updateTable("feedback_form").set(extend(set, { updated_at: nowIso() })).where("id", "=", id).execute();
export const votesOf = (db: Db, formId: string) => db.selectFrom("feedback_vote").selectAll().where("form_id", "=", formId).execute();
export async function putVote(db: Db, row: DB["feedback_vote"]) {
  await db.deleteFrom("feedback_vote").where("form_id", "=", row.form_id).where("user_id", "=", row.user_id).execute();
  await db.insertInto("feedback_vote").values(row).execute();
}
