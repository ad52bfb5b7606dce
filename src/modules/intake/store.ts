import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import type { DB } from "../../platform/db/schema";
import { newId, nowIso, toCount } from "../../platform/db/values";
import { inLivcs } from "../../platform/policy";
import type { RegionalScope } from "./policy";
import type { ReportTable } from "./migrations";
import type { ReportStatus } from "./workflow";
import { extend } from "../../platform/objects";

/** Queries only. Filters for lists come from policy.ts; personal columns stay ciphertext here. */
type Db = Kysely<DB> | Transaction<DB>;
export type ReportRow = ReportTable;

export async function insertReport(db: Db, row: ReportRow): Promise<void> {
  await db.insertInto("report").values(row).execute();
}

export async function updateReport(db: Db, id: string, patch: Partial<Omit<ReportRow, "id" | "reference" | "reporter_user_id">>): Promise<void> {
  await db.updateTable("report").set(extend(patch, { updated_at: nowIso() })).where("id", "=", id).execute();
}

/** Changes the status only when it is still `from` (two screeners deciding at once: one wins). */
export async function compareAndSetStatus(db: Db, id: string, from: ReportStatus, patch: Partial<ReportRow> & { status: ReportStatus }): Promise<boolean> {
  const res = await db.updateTable("report").set(extend(patch, { updated_at: nowIso() })).where("id", "=", id).where("status", "=", from).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export const reportById = (db: Db, id: string) => db.selectFrom("report").selectAll().where("id", "=", id).executeTakeFirst();
export const reportByReference = (db: Db, reference: string) => db.selectFrom("report").selectAll().where("reference", "=", reference).executeTakeFirst();

/** A reporter's own reports, newest first (the only list a reporter gets). */
export const reportsFiledBy = (db: Db, userId: string) =>
  db
    .selectFrom("report")
    .select(["id", "reference", "status", "created_at", "submitted_at", "updated_at", "minor", "danger_now"])
    .where("reporter_user_id", "=", userId)
    .orderBy("created_at", "desc")
    .execute();

const QUEUE_COLUMNS = ["id", "reference", "status", "livc_id", "regional_queue", "municipality_nis", "minor", "danger_now", "identity_known", "subject_index", "submitted_at", "screening_due_on", "decided_at", "reporter_user_id"] as const;
export type QueueRow = Pick<ReportRow, (typeof QUEUE_COLUMNS)[number]>;
export const OPEN_STATUSES: ReportStatus[] = ["received", "in_screening"];
/** Screened: a decision was taken (and perhaps the case or referral closed since). */
export const DECIDED_STATUSES: ReportStatus[] = ["taken_up", "referred", "no_action", "passed_to_police", "closed"];

/** Which queue: one LIVC's (from policy: screeningLivcIds), or the regional one within a contact's scope. */
export type QueueSource = { livcId: string } | { regional: RegionalScope };
/** Open: still to screen, by deadline (oldest first). Decided: most recently decided first. */
export type QueueFilter = "open" | "decided";

function queueWhere(db: Db, source: QueueSource, filter: QueueFilter) {
  let q = db.selectFrom("report").where("status", "in", filter === "open" ? OPEN_STATUSES : DECIDED_STATUSES);
  if ("livcId" in source) return q.where("livc_id", "=", source.livcId);
  const scope = source.regional;
  q = q.where("livc_id", "is", null).where("regional_queue", "is not", null);
  return scope.all ? q : q.where((eb) => inLivcs(eb.ref("regional_queue"), scope.provinces));
}

/**
 * One page of a queue. The order follows the indexes of 2026121020_intake_queue_order (an index
 * scan, no sort of the whole queue): open by deadline, then submission, then id (stable paging);
 * decided by decision date, newest first.
 */
export function queuePage(db: Db, source: QueueSource, filter: QueueFilter, limit: number, offset: number): Promise<QueueRow[]> {
  const q = queueWhere(db, source, filter).select(QUEUE_COLUMNS);
  const ordered =
    filter === "open"
      ? q.orderBy("screening_due_on", "asc").orderBy("submitted_at", "asc").orderBy("id", "asc")
      : q.orderBy("decided_at", "desc").orderBy("id", "desc");
  return ordered.limit(limit).offset(offset).execute();
}

export async function queueCount(db: Db, source: QueueSource, filter: QueueFilter): Promise<number> {
  const row = await queueWhere(db, source, filter).select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
  return toCount(row?.n);
}

/** Open reports per LIVC (the choice of queue for someone who screens in several LIVCs). */
export async function openCountsByLivc(db: Db, livcIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("report")
    .select(["livc_id", (eb) => eb.fn.countAll().as("n")])
    .where((eb) => inLivcs(eb.ref("livc_id"), livcIds))
    .where("status", "in", OPEN_STATUSES)
    .groupBy("livc_id")
    .execute();
  return new Map(rows.map((r) => [r.livc_id ?? "", toCount(r.n)]));
}

/**
 * Earlier submitted reports in the same LIVC with the same blind index: equality on an HMAC
 * token, never a search over names. (Earlier cases: cases/service.ts casesOfSubject, same idea.)
 */
export const sameSubjectInLivc = (db: Db, livcId: string, subjectIndex: string, exceptReportId: string) =>
  db
    .selectFrom("report")
    .select(["id", "reference", "status", "submitted_at", "case_id"])
    .where("livc_id", "=", livcId)
    .where("subject_index", "=", subjectIndex)
    .where("id", "!=", exceptReportId)
    .where("status", "!=", "draft")
    .orderBy("submitted_at", "asc")
    .execute();

/** How many submitted reports share each blind index within each LIVC (for the queue's duplicate flag). Counted in the database: one person may have thousands. */
export async function subjectIndexCounts(db: Db, livcIds: readonly string[], indexes: readonly string[]): Promise<Map<string, number>> {
  if (indexes.length === 0) return new Map();
  const rows = await db
    .selectFrom("report")
    .select(["livc_id", "subject_index", (eb) => eb.fn.countAll().as("n")])
    .where((eb) => inLivcs(eb.ref("livc_id"), livcIds))
    .where("subject_index", "in", [...new Set(indexes)])
    .where("status", "!=", "draft")
    .groupBy(["livc_id", "subject_index"])
    .execute();
  return new Map(rows.map((r) => [`${r.livc_id}|${r.subject_index}`, toCount(r.n)]));
}

export async function insertEvent(db: Db, e: { report_id: string; actor_id: string | null; transition: string; from_status: string; to_status: string; referral_service: string | null; reason_enc: string | null; id?: string }) {
  const id = e.id ?? newId();
  await db.insertInto("report_event").values(extend(e, { id, at: nowIso() })).execute();
  return id;
}

export const eventsOf = (db: Db, reportId: string) => db.selectFrom("report_event").selectAll().where("report_id", "=", reportId).orderBy("at", "asc").execute();

/** Status changes only (no reasons, no actors): what the reporter's status page may use. */
export const statusHistoryOf = (db: Db, reportId: string) =>
  db.selectFrom("report_event").select(["at", "to_status"]).where("report_id", "=", reportId).orderBy("at", "asc").execute();

export async function insertAlert(db: Db, a: { user_id: string; report_id: string; kind: DB["intake_alert"]["kind"] }) {
  await insertAlerts(db, [a]);
}

/** Several alerts in one statement (one write, not one per screener, on every submission). */
export async function insertAlerts(db: Db, alerts: { user_id: string; report_id: string; kind: DB["intake_alert"]["kind"] }[]) {
  if (alerts.length === 0) return;
  const at = nowIso();
  await db
    .insertInto("intake_alert")
    .values(alerts.map((a) => extend(a, { id: newId(), created_at: at, read_at: null })))
    .execute();
}

/**
 * Alerts that only mean "this report waits for a decision" (decision 0060): once the report is decided or
 * withdrawn they are no longer shown or counted, so a coordinator is not left with the information
 * officer's finished work.
 */
const WAITING_KINDS = ["new_report", "deadline_near", "deadline_passed"] as const;
const stillMeant = (eb: ExpressionBuilder<DB, "intake_alert" | "report">) =>
  eb.or([eb("intake_alert.kind", "not in", WAITING_KINDS), eb("report.status", "in", ["received", "in_screening"])]);

/** The newest unread alerts of a person (at most `limit`; alertCount says how many there are). */
export const unreadAlertsOf = (db: Db, userId: string, limit = 20) =>
  db
    .selectFrom("intake_alert")
    .innerJoin("report", "report.id", "intake_alert.report_id")
    .select(["intake_alert.id", "intake_alert.kind", "intake_alert.created_at", "report.id as report_id", "report.reference"])
    .where("intake_alert.user_id", "=", userId)
    .where("intake_alert.read_at", "is", null)
    .where(stillMeant)
    .orderBy("intake_alert.created_at", "desc")
    .orderBy("intake_alert.id", "desc")
    .limit(limit)
    .execute();

/**
 * How many unread alerts a person has, counted up to `cap + 1` (the caller shows "more than cap"): the
 * count stays a bounded read however large a backlog grows (issue 9: 255,000 unread alerts took 550 ms).
 */
export async function unreadAlertCount(db: Db, userId: string, cap: number): Promise<number> {
  const unread = db
    .selectFrom("intake_alert")
    .innerJoin("report", "report.id", "intake_alert.report_id")
    .select("intake_alert.id")
    .where("intake_alert.user_id", "=", userId)
    .where("intake_alert.read_at", "is", null)
    .where(stillMeant)
    .limit(cap + 1);
  const row = await db
    .selectFrom(unread.as("unread"))
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  return toCount(row?.n);
}

export async function markAlertsRead(db: Db, userId: string, reportId: string) {
  await db.updateTable("intake_alert").set({ read_at: nowIso() }).where("user_id", "=", userId).where("report_id", "=", reportId).where("read_at", "is", null).execute();
}

export const regionalContactsOf = (db: Db, userId: string) => db.selectFrom("intake_regional_contact").select(["province"]).where("user_id", "=", userId).execute();

export const regionalContactsFor = (db: Db, province: string) =>
  db
    .selectFrom("intake_regional_contact")
    .select(["user_id"])
    .where((eb) => eb.or([eb("province", "is", null), eb("province", "=", province)]))
    .execute();

// --- retention -------------------------------------------------------------------------------

const PURGE_COLUMNS = ["id", "reference", "livc_id", "status", "retention_until", "case_id", "subject_index", "content_enc", "decided_at"] as const;
export type PurgeRow = Pick<ReportRow, (typeof PURGE_COLUMNS)[number]>;

/**
 * Screened but not taken up (decision 0053): "no further action", "referred to regular care", or a
 * referral closed since. A report taken up holds its case id until its case is purged (and then it is
 * purged itself), so "no case link" tells them apart from a closed take-up.
 */
export const NOT_TAKEN_UP_STATUSES: ReportStatus[] = ["no_action", "referred", "closed"];

/** When a report's own term has ended (decision 0053's two terms); `notTakenUpBefore` as in reportPurgeCandidates. */
export interface PurgeTerm {
  today: string;
  notTakenUpBefore: string;
}

/** The report purge rule, in one place: submitted, not purged yet, and one of its two terms ended. */
const purgeDue = (eb: ExpressionBuilder<DB, "report">, t: PurgeTerm) =>
  eb.and([
    eb("purged_at", "is", null),
    eb("status", "!=", "draft"),
    eb.or([
      eb.and([eb("retention_until", "is not", null), eb("retention_until", "<=", t.today)]),
      eb.and([eb("status", "in", NOT_TAKEN_UP_STATUSES), eb("case_id", "is", null), eb("decided_at", "is not", null), eb("decided_at", "<", t.notTakenUpBefore)]),
    ]),
  ]);

/**
 * Submitted reports that still hold personal data and whose term has passed: the general term
 * (`retention_until`, set at submission) on or before `today`, or, not taken up, a screening decision
 * taken before `notTakenUpBefore` (an ISO date: decided_at is a timestamp, so "<" a date means "on an
 * earlier day"). The second term is computed here, at every run, from the decision date.
 */
export const reportPurgeCandidates = (db: Db, today: string, notTakenUpBefore: string) =>
  db
    .selectFrom("report")
    .select(PURGE_COLUMNS)
    .where((eb) => purgeDue(eb, { today, notTakenUpBefore }))
    .orderBy("retention_until")
    .orderBy("id")
    .execute();

/**
 * Claims a report for its purge, as the FIRST statement of the purge's transaction (decision 0065):
 * stamps purged_at only if it is not purged yet and, for the retention run (`rule` given), still due
 * and still linked as it was when the run checked it: no case (`caseId` null), or the same case the
 * run found purged (a terminal status). False: a join to an open case (decision 0062), another run or
 * anything else changed it since the candidates were read; the caller then leaves it alone.
 */
export async function claimReportForPurge(db: Db, id: string, rule?: PurgeTerm & { caseId: string | null }): Promise<boolean> {
  const at = nowIso();
  let q = db.updateTable("report").set({ purged_at: at, updated_at: at }).where("id", "=", id).where("purged_at", "is", null);
  if (rule) {
    q = q.where((eb) => purgeDue(eb, rule));
    q = rule.caseId === null ? q.where("case_id", "is", null) : q.where("case_id", "=", rule.caseId);
  }
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0) === 1;
}

/** One report's purge columns (read again inside the purge's transaction, after the claim). */
export const purgeRowById = (db: Db, id: string) => db.selectFrom("report").select(PURGE_COLUMNS).where("id", "=", id).executeTakeFirstOrThrow();

/** Drafts nobody saved since before `before` (an ISO date; updated_at is a timestamp). */
export const staleDrafts = (db: Db, before: string) =>
  db.selectFrom("report").select(["id", "reference", "updated_at", "content_enc"]).where("status", "=", "draft").where("updated_at", "<", before).orderBy("updated_at").orderBy("id").execute();

/** Deletes a draft row (never a submitted report: the status is part of the condition); true when it went. */
export async function deleteDraft(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom("report").where("id", "=", id).where("status", "=", "draft").executeTakeFirst();
  return Number(r.numDeletedRows ?? 0) === 1;
}

/** The not yet purged report(s) a case was taken up from. */
export const unpurgedReportsOfCase = (db: Db, caseId: string) =>
  db.selectFrom("report").select(PURGE_COLUMNS).where("case_id", "=", caseId).where("purged_at", "is", null).execute();

export async function countReasons(db: Db, reportId: string): Promise<number> {
  const row = await db.selectFrom("report_event").select((eb) => eb.fn.countAll().as("n")).where("report_id", "=", reportId).where("reason_enc", "is not", null).executeTakeFirst();
  return toCount(row?.n);
}

/**
 * Blanks every personal field of a report: the encrypted document (identity or description, what
 * was observed, the reporter's contact), the blind index, the case link and the decision reasons.
 * Dates, status, LIVC, municipality and the flags stay (anonymous facts). content_enc is NOT NULL:
 * "" marks "nothing left" (never ciphertext).
 */
export async function blankReport(db: Db, id: string) {
  const at = nowIso();
  await db.updateTable("report").set({ content_enc: "", subject_index: null, case_id: null, purged_at: at, updated_at: at }).where("id", "=", id).execute();
  await db.updateTable("report_event").set({ reason_enc: null }).where("report_id", "=", id).execute();
  await db.updateTable("report_supplement").set({ content_enc: "" }).where("report_id", "=", id).execute();
}

/** The reporter's supplements of a report that still hold content (what a purge removes). */
export async function countSupplements(db: Db, reportId: string): Promise<number> {
  const row = await db.selectFrom("report_supplement").select((eb) => eb.fn.countAll().as("n")).where("report_id", "=", reportId).where("content_enc", "!=", "").executeTakeFirst();
  return toCount(row?.n);
}

export const insertReportPurgeLog = (db: Db, row: DB["report_purge_log"]) => db.insertInto("report_purge_log").values(row).execute();
export const reportPurgeLog = (db: Db, limit = 200) => db.selectFrom("report_purge_log").selectAll().orderBy("purged_at", "desc").limit(limit).execute();
