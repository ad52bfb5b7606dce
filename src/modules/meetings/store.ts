import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { sql } from "kysely";
import { nowIso, toCount } from "../../platform/db/values";
import type { ConsultationMeetingColumns, ConsultationMinutesTable } from "./migrations";
import type { ConsultationTable } from "../partners/migrations";
import { precompiled } from "../../platform/db/precompiled";
import { everyColumn } from "../../platform/db/columns";
import { extend } from "../../platform/objects";

/** Meeting queries. `consultation` is seen with this module's columns added (withTables). */
type Db = Kysely<DB>;
const m = (db: Db) => db.withTables<{ consultation: ConsultationMeetingColumns }>();

export const meetingById = (db: Db, id: string) => m(db).selectFrom("consultation").selectAll().where("id", "=", id).executeTakeFirst();
export type MeetingRow = NonNullable<Awaited<ReturnType<typeof meetingById>>>;

export const setMeetingColumns = (db: Db, id: string, set: Partial<ConsultationMeetingColumns>) =>
  m(db).updateTable("consultation").set(extend(set, { updated_at: nowIso() })).where("id", "=", id).execute();

/**
 * Decision 0058: marks the meeting changed now, only if nobody changed it since `updatedAt` was read
 * (the reschedule's compare-and-set inside its transaction). False when someone did.
 */
export async function claimMeeting(db: Db, id: string, updatedAt: string | null): Promise<boolean> {
  const r = await m(db)
    .updateTable("consultation")
    .set({ updated_at: nowIso() })
    .where("id", "=", id)
    .where((eb) => (updatedAt === null ? eb("updated_at", "is", null) : eb("updated_at", "=", updatedAt)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function meetingsOfLivcs(db: Db, livcIds: string[], ids?: string[]) {
  let q = m(db).selectFrom("consultation").selectAll();
  q = q.where("livc_id", "in", livcIds.length ? livcIds : ["-"]);
  if (ids) q = q.where("id", "in", ids.length ? ids : ["-"]);
  return q.orderBy("held_on", "desc").limit(200).execute();
}

// Read on every case page view: columns named (platform/db/columns.ts).
const MEETING_COLUMNS = everyColumn<ConsultationTable & ConsultationMeetingColumns>()("consultation", ["id", "livc_id", "held_on", "kind", "status", "created_at", "starts_at", "place", "video_url", "scheduled_by", "reminder_sent_at", "updated_at", "framework_version", "cancel_reason", "cancel_note", "cancelled_at", "cancelled_by"]);
const MINUTES_COLUMNS = everyColumn<ConsultationMinutesTable>()("consultation_minutes", ["consultation_id", "case_id", "decisions_enc", "next_review_on", "recorded_by", "recorded_at", "revision"]);

export const meetingsByIds = precompiled((db, ids: readonly string[]) =>
  m(db).selectFrom("consultation").select(MEETING_COLUMNS).where("id", "in", ids.length ? ids : ["-"]).orderBy("held_on", "desc"),
);

export const agendaOf = (db: Db, consultationId: string) =>
  db.selectFrom("consultation_case").selectAll().where("consultation_id", "=", consultationId).orderBy("position").execute();

export const servicesOf = (db: Db, consultationId: string) =>
  db.selectFrom("consultation_case_service").selectAll().where("consultation_id", "=", consultationId).execute();

/**
 * Meetings of an LIVC where an organisation is invited for a case, for these (LIVC, organisation)
 * pairs only (the partner's meeting list): an organisation invited in another LIVC does not count.
 */
export const meetingIdsInvitingSeats = async (db: Db, seats: { livcId: string; organisationId: string }[]) =>
  seats.length === 0
    ? []
    : (
        await db
          .selectFrom("consultation_case_service as s")
          .innerJoin("consultation as c", "c.id", "s.consultation_id")
          .select("s.consultation_id")
          .distinct()
          .where((eb) => eb.or(seats.map((x) => eb.and([eb("c.livc_id", "=", x.livcId), eb("s.organisation_id", "=", x.organisationId)]))))
          .execute()
      ).map((r) => r.consultation_id);

export const addAgendaItem = (db: Db, consultationId: string, caseId: string, position: number) =>
  db.insertInto("consultation_case").values({ consultation_id: consultationId, case_id: caseId, position }).execute();

export const addService = (db: Db, row: DB["consultation_case_service"]) => db.insertInto("consultation_case_service").values(row).execute();

/** Whether an acknowledgement was given for the framework version the meeting is held under now (decision 0051). */
export const ackCounts = (ack: { framework_version: number | null }, meeting: { framework_version: number | null }) => (ack.framework_version ?? null) === (meeting.framework_version ?? null);

/** The person's acknowledgement of a meeting, whatever framework version it was given for. */
export const anyAckOf = (db: Db, consultationId: string, userId: string) =>
  db.selectFrom("consultation_ack").selectAll().where("consultation_id", "=", consultationId).where("user_id", "=", userId).executeTakeFirst();

/** The person's acknowledgement, only if it was given for the meeting's current framework version. */
export const ackOf = async (db: Db, meeting: { id: string; framework_version: number | null }, userId: string) => {
  const ack = await anyAckOf(db, meeting.id, userId);
  return ack && ackCounts(ack, meeting) ? ack : undefined;
};

/** The acknowledgements that count: given for the meeting's current framework version. */
export const acksOf = async (db: Db, meeting: { id: string; framework_version: number | null }) =>
  (await db.selectFrom("consultation_ack").selectAll().where("consultation_id", "=", meeting.id).execute()).filter((a) => ackCounts(a, meeting));

/** Every acknowledgement of a meeting, whatever framework version it was given for (re-planning revokes what no longer counts). */
export const anyAcksOf = (db: Db, consultationId: string) => db.selectFrom("consultation_ack").selectAll().where("consultation_id", "=", consultationId).execute();

/** Records an acknowledgement; given again after a framework change, it replaces the earlier one (version and time). */
export const insertAck = (db: Db, row: DB["consultation_ack"]) =>
  db
    .insertInto("consultation_ack")
    .values(row)
    .onConflict((oc) => oc.columns(["consultation_id", "user_id"]).doUpdateSet({ framework_version: row.framework_version, acknowledged_at: row.acknowledged_at }))
    .execute();

export const minutesOf = (db: Db, consultationId: string, caseId: string) =>
  db.selectFrom("consultation_minutes").selectAll().where("consultation_id", "=", consultationId).where("case_id", "=", caseId).executeTakeFirst();

export const minutesOfCase = precompiled((db, caseId: string) => db.selectFrom("consultation_minutes").select(MINUTES_COLUMNS).where("case_id", "=", caseId).orderBy("recorded_at"));
/** The case page's minutes: with the meeting's day joined, one read instead of two (issue 9). */
export const minutesOfCaseWithDay = precompiled((db, caseId: string) =>
  m(db)
    .selectFrom("consultation_minutes as mi")
    .leftJoin("consultation as co", "co.id", "mi.consultation_id")
    .select(["mi.consultation_id", "mi.decisions_enc", "mi.next_review_on", "co.held_on"])
    .where("mi.case_id", "=", caseId)
    .orderBy("mi.recorded_at"),
);

/**
 * Saves a case's minutes on a meeting (decision 0058: compare-and-set). `expected` is the revision the
 * editor's form was loaded with (0: there were no minutes yet); the write happens only when the stored
 * revision still is that one, and bumps it. Without `expected` (demo data) the minutes are written
 * whatever is stored. Returns false, having written nothing, when someone else saved in the meantime.
 */
export async function saveMinutes(db: Db, row: Omit<DB["consultation_minutes"], "revision">, expected?: number): Promise<boolean> {
  const { consultation_id, case_id, ...text } = row;
  if (expected === undefined) {
    const current = await minutesOf(db, consultation_id, case_id);
    expected = current ? current.revision : 0;
  }
  if (expected === 0) {
    const r = await db.insertInto("consultation_minutes").values(extend(row, { revision: 1 })).onConflict((oc) => oc.columns(["consultation_id", "case_id"]).doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const r = await db
    .updateTable("consultation_minutes")
    .set(extend(text, { revision: expected + 1 }))
    .where("consultation_id", "=", consultation_id)
    .where("case_id", "=", case_id)
    .where("revision", "=", expected)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const blankMinutesOfCase = (db: Db, caseId: string) =>
  db
    .updateTable("consultation_minutes")
    .set((eb) => ({ decisions_enc: null, revision: eb("revision", "+", 1) }))
    .where("case_id", "=", caseId)
    .where("decisions_enc", "is not", null)
    .execute();

export const countMinutesText = async (db: Db, caseId: string) =>
  (await db.selectFrom("consultation_minutes").select("case_id").where("case_id", "=", caseId).where("decisions_enc", "is not", null).execute()).length;

/** Planned meetings between two dates without a reminder yet. */
export const meetingsToRemind = (db: Db, from: string, until: string) =>
  m(db).selectFrom("consultation").selectAll().where("status", "=", "planned").where("reminder_sent_at", "is", null).where("held_on", ">=", from).where("held_on", "<=", until).execute();

/** Meetings held in a period, with their LIVC (figures). */
export const heldBetween = (db: Db, from: string, to: string) =>
  db.selectFrom("consultation").select(["id", "livc_id", "held_on"]).where("status", "=", "held").where("held_on", ">=", from).where("held_on", "<=", to).execute();

/** Meetings that had a case on their agenda, newest first. */
export const meetingsWithCase = precompiled((db, caseId: string) =>
  m(db)
    .selectFrom("consultation")
    .innerJoin("consultation_case", "consultation_case.consultation_id", "consultation.id")
    .select(["consultation.id", "consultation.held_on", "consultation.status"])
    .where("consultation_case.case_id", "=", caseId)
    .orderBy("consultation.held_on", "desc"),
);

/**
 * The services of agenda items (`a`: consultation_case, `s`: its services), for reads by case: consultation_case has
 * an index on case_id, the services' primary key starts with the consultation (a search by case alone read every
 * service). A case taken off an agenda loses its services with the item (removeAgendaItem), so every service has
 * its agenda row.
 */
const agendaServices = (db: Db) =>
  db.selectFrom("consultation_case as a").innerJoin("consultation_case_service as s", (j) => j.onRef("s.consultation_id", "=", "a.consultation_id").onRef("s.case_id", "=", "a.case_id"));

/** The services invited for a case on the agendas it is on, with their invitations (read on every case page view of a lead). */
export const servicesForCase = precompiled((db, caseId: string) => agendaServices(db).select(["s.organisation_id", "s.invitation_id"]).where("a.case_id", "=", caseId));

/** Organisations invited as a service for each of these cases in any meeting: (case, organisation) pairs. */
export const organisationsInvitedForCases = (db: Db, caseIds: string[]) =>
  caseIds.length === 0 ? Promise.resolve([]) : agendaServices(db).select(["s.case_id", "s.organisation_id"]).distinct().where("a.case_id", "in", caseIds).execute();

// --- re-planning (decision 0043) ---------------------------------------------------------------

/** Takes a case off a meeting's agenda: its services, then the item (the invitations stay, withdrawn). */
export async function removeAgendaItem(db: Db, consultationId: string, caseId: string) {
  await db.deleteFrom("consultation_case_service").where("consultation_id", "=", consultationId).where("case_id", "=", caseId).execute();
  await db.deleteFrom("consultation_case").where("consultation_id", "=", consultationId).where("case_id", "=", caseId).execute();
}

export const lastPosition = async (db: Db, consultationId: string) =>
  Number((await db.selectFrom("consultation_case").select((eb) => eb.fn.max("position").as("p")).where("consultation_id", "=", consultationId).executeTakeFirst())?.p ?? 0);

export interface MeetingListFilter {
  /** LIVCs whose meetings the actor sees all of (core members). */
  livcIds: string[];
  /** Further meetings the actor sees (those inviting an organisation they represent). */
  ids: string[];
  status?: "planned" | "held" | "cancelled";
  /** Upcoming (on or after this day) first, soonest first; then past ones, latest first. */
  today: string;
}

function listQuery(db: Db, f: MeetingListFilter) {
  let q = m(db).selectFrom("consultation").where((eb) => eb.or([eb("livc_id", "in", f.livcIds.length ? f.livcIds : ["-"]), eb("id", "in", f.ids.length ? f.ids : ["-"])]));
  if (f.status) q = q.where("status", "=", f.status);
  return q;
}

/** One page of the meeting list (decision 0043): upcoming first, then past. */
export const meetingListPage = (db: Db, f: MeetingListFilter, limit: number, offset: number) =>
  listQuery(db, f)
    .selectAll()
    .orderBy(sql`case when held_on >= ${f.today} then 0 else 1 end`)
    .orderBy(sql`case when held_on >= ${f.today} then held_on else null end`)
    .orderBy("held_on", "desc")
    .orderBy("id")
    .limit(limit)
    .offset(offset)
    .execute();

export const meetingListCount = async (db: Db, f: MeetingListFilter) =>
  toCount((await listQuery(db, f).select((eb) => eb.fn.countAll().as("n")).executeTakeFirst())?.n);
