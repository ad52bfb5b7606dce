import { type CompiledQuery, type Kysely, sql, type Transaction } from "kysely";
import type { DB } from "../../platform/db/schema";
import { inLivcs } from "../../platform/policy/grants";
import { newId, nowIso, toCount } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import { precompiled } from "../../platform/db/precompiled";
import type {
  ConsultationStatus,
  DeclineReason,
  InvitationKind,
  InvitationStatus,
  LivcPartnerTable,
  PartnerInvitationTable,
  Seat,
} from "./migrations";
import { extend } from "../../platform/objects";

type Db = Kysely<DB> | Transaction<DB>;

// ---------------------------------------------------------------------------------------------
// The revision of the participation inputs (decision 0023): a token replaced in the same
// transaction as every write below that can change the participation figures (municipalities of
// an organisation, seats, invitations, consultations' date or status, attendance). Contacts and
// reminder dates do not enter the figures and leave it alone.

const revisionQueries = new WeakMap<Db, CompiledQuery<{ token: string }>>();

/** Read on every participation request: compiled once per database handle. */
export async function revision(db: Db): Promise<string> {
  let q = revisionQueries.get(db);
  if (!q) {
    q = db.selectFrom("partners_revision").select("token").where("id", "=", "current").compile();
    revisionQueries.set(db, q);
  }
  return (await db.executeQuery(q)).rows[0]?.token ?? "none";
}

/** One statement (an upsert), so concurrent writers on PostgreSQL each leave a new token behind. */
export async function bumpRevision(db: Db): Promise<void> {
  const token = newId();
  const at = nowIso();
  await db
    .insertInto("partners_revision")
    .values({ id: "current", token, changed_at: at })
    .onConflict((oc) => oc.column("id").doUpdateSet({ token, changed_at: at }))
    .execute();
}

/** Runs a write and the revision bump in one transaction (the caller's, when it passes one). */
const changing = <T>(db: Db, write: (trx: Db) => Promise<T>): Promise<T> => {
  const run = async (trx: Db) => {
    const out = await write(trx);
    await bumpRevision(trx);
    return out;
  };
  return db.isTransaction ? run(db) : (db as Kysely<DB>).transaction().execute(run);
};

export type InvitationRow = PartnerInvitationTable;
export type PartnerRow = LivcPartnerTable;

// ---------------------------------------------------------------------------------------------
// Organisations: the identity module's table, plus where they work and who answers for them.

export const organisationById = (db: Db, id: string) => db.selectFrom("organisation").selectAll().where("id", "=", id).executeTakeFirst();

export const allOrganisations = (db: Db) => db.selectFrom("organisation").selectAll().orderBy("name").execute();

export const setOrganisationMunicipalities = (db: Db, organisationId: string, nisCodes: string[]) =>
  changing(db, async (trx) => {
    await trx.deleteFrom("organisation_municipality").where("organisation_id", "=", organisationId).execute();
    const unique = [...new Set(nisCodes)];
    if (unique.length > 0) {
      const at = nowIso();
      await trx.insertInto("organisation_municipality").values(unique.map((nis) => ({ organisation_id: organisationId, nis, created_at: at }))).execute();
    }
  });

export const allOrganisationMunicipalities = (db: Db) => db.selectFrom("organisation_municipality").select(["organisation_id", "nis"]).execute();

export const municipalitiesOf = async (db: Db, organisationId: string) =>
  (await db.selectFrom("organisation_municipality").select("nis").where("organisation_id", "=", organisationId).orderBy("nis").execute()).map((r) => r.nis);

export async function addContact(db: Db, organisationId: string, userId: string) {
  const exists = await db.selectFrom("organisation_contact").select("user_id").where("organisation_id", "=", organisationId).where("user_id", "=", userId).executeTakeFirst();
  if (!exists) await db.insertInto("organisation_contact").values({ organisation_id: organisationId, user_id: userId, created_at: nowIso() }).execute();
}

export const removeContact = (db: Db, organisationId: string, userId: string) =>
  db.deleteFrom("organisation_contact").where("organisation_id", "=", organisationId).where("user_id", "=", userId).execute();

export const contactOrganisationIds = async (db: Db, userId: string) =>
  (await db.selectFrom("organisation_contact").select("organisation_id").where("user_id", "=", userId).execute()).map((r) => r.organisation_id);

/** Contacts with their e-mail address (for notices only) and name (shown inside the LIVC only). */
export const contactsOf = (db: Db, organisationIds: string[]) =>
  organisationIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("organisation_contact")
        .innerJoin("app_user", "app_user.id", "organisation_contact.user_id")
        .select(["organisation_contact.organisation_id", "app_user.id as user_id", "app_user.email", "app_user.display_name", "app_user.status"])
        .where("organisation_contact.organisation_id", "in", organisationIds)
        .orderBy("app_user.display_name")
        .execute();

// ---------------------------------------------------------------------------------------------
// Seats at the table (mandatory members and partner organisations), with periods.

export async function insertPartner(
  db: Db,
  p: { livc_id: string; seat: Seat; organisation_id: string | null; user_id: string | null; from_on: string; to_on: string | null; invitation_id?: string | null },
): Promise<string> {
  const id = newId();
  await changing(db, (trx) =>
    trx
      .insertInto("livc_partner")
      .values({ id, ...p, invitation_id: p.invitation_id ?? null, created_at: nowIso() })
      .execute(),
  );
  return id;
}

export const partnerById = (db: Db, id: string) => db.selectFrom("livc_partner").selectAll().where("id", "=", id).executeTakeFirst();

export const setPartnerEnd = (db: Db, id: string, toOn: string | null) =>
  changing(db, (trx) => trx.updateTable("livc_partner").set({ to_on: toOn }).where("id", "=", id).execute());

export const partnersOfLivc = precompiled((db, livcId: string) => db.selectFrom("livc_partner").selectAll().where("livc_id", "=", livcId).orderBy("from_on"));

export const allPartners = (db: Db) => db.selectFrom("livc_partner").selectAll().execute();

// ---------------------------------------------------------------------------------------------
// Invitations.

export async function insertInvitation(
  db: Db,
  i: { livc_id: string; organisation_id: string; kind: InvitationKind; consultation_id: string | null; case_ref: string | null; invited_by: string | null; sent_on: string; expires_on: string },
): Promise<string> {
  const id = newId();
  const at = nowIso();
  await changing(db, (trx) =>
    trx
    .insertInto("partner_invitation")
    .values({
      id,
      ...i,
      status: "pending",
      responded_on: null,
      responded_by: null,
      decline_reason: null,
      decline_note: null,
      reminded_on: null,
      created_at: at,
      updated_at: at,
    })
    .execute(),
  );
  return id;
}

export const invitationById = (db: Db, id: string) => db.selectFrom("partner_invitation").selectAll().where("id", "=", id).executeTakeFirst();

/** Which of these invitations are accepted (one read, by primary key). */
export const acceptedInvitationIds = async (db: Db, ids: readonly string[]): Promise<string[]> =>
  ids.length === 0
    ? []
    : (await db.selectFrom("partner_invitation").select("id").where("id", "in", [...ids]).where("status", "=", "accepted").execute()).map((r) => r.id);

/** Moves a pending invitation on; false when it was no longer pending (a race or a double click). */
export async function closeInvitation(
  db: Db,
  id: string,
  change: { status: Exclude<InvitationStatus, "pending">; responded_on: string | null; responded_by: string | null; decline_reason?: DeclineReason | null; decline_note?: string | null },
): Promise<boolean> {
  const r = await changing(db, (trx) =>
    trx
      .updateTable("partner_invitation")
      .set(extend(change, { updated_at: nowIso() }))
      .where("id", "=", id)
      .where("status", "=", "pending")
      .executeTakeFirst(),
  );
  return Number(r.numUpdatedRows) === 1;
}

export const markReminded = (db: Db, id: string, on: string) =>
  db.updateTable("partner_invitation").set({ reminded_on: on, updated_at: nowIso() }).where("id", "=", id).execute();

/** Pending invitations whose term ended before `today`. */
export const overdueInvitations = (db: Db, today: string) =>
  db.selectFrom("partner_invitation").selectAll().where("status", "=", "pending").where("expires_on", "<", today).execute();

/** Pending, not yet reminded, expiring on or before `until`. */
export const invitationsToRemind = (db: Db, today: string, until: string) =>
  db
    .selectFrom("partner_invitation")
    .selectAll()
    .where("status", "=", "pending")
    .where("reminded_on", "is", null)
    .where("expires_on", ">=", today)
    .where("expires_on", "<=", until)
    .execute();

/**
 * Invitations an actor may see: those of the LIVCs where they manage partners, and those addressed
 * to organisations they answer for. The same grants as policy.ts, as a query filter.
 */
export function visibleInvitations(db: Db, filter: { livcIds: string[]; organisationIds: string[] }, opts: { status?: InvitationStatus } = {}) {
  let q = invitationsWithOrganisation(db).where((eb) =>
      eb.or([
        inLivcs(eb.ref("partner_invitation.livc_id"), filter.livcIds),
        inLivcs(eb.ref("partner_invitation.organisation_id"), filter.organisationIds),
      ]),
    );
  if (opts.status) q = q.where("partner_invitation.status", "=", opts.status);
  return q.orderBy("partner_invitation.sent_on", "desc").orderBy("partner_invitation.created_at", "desc").execute();
}

/** Invitations with their organisation's name and sector, as the lists show them. */
const invitationsWithOrganisation = (db: Db) =>
  db
    .selectFrom("partner_invitation")
    .innerJoin("organisation", "organisation.id", "partner_invitation.organisation_id")
    .selectAll("partner_invitation")
    .select(["organisation.name as organisation_name", "organisation.sector"]);

/** Invitations shown per page on an LIVC's partner page. */
export const INVITATIONS_PAGE = 50;

/**
 * One page of an LIVC's invitations, those awaiting an answer first (the only ones with something to do:
 * withdraw), then newest first, and how many pages there are (issue 9: the page listed every invitation
 * the LIVC ever sent; at scale 1, ~420 a cell with the services invited for cases: 74 KB first load).
 */
export async function livcInvitationsPage(db: Db, livcId: string, page: number) {
  const total = toCount((await db.selectFrom("partner_invitation").select((eb) => eb.fn.countAll().as("n")).where("livc_id", "=", livcId).executeTakeFirstOrThrow()).n);
  const pages = Math.max(1, Math.ceil(total / INVITATIONS_PAGE));
  const shown = Math.min(Math.max(1, page), pages);
  const items = await invitationsWithOrganisation(db)
    .where("partner_invitation.livc_id", "=", livcId)
    .orderBy(sql`case when partner_invitation.status = 'pending' then 0 else 1 end`)
    .orderBy("partner_invitation.sent_on", "desc")
    .orderBy("partner_invitation.created_at", "desc")
    .orderBy("partner_invitation.id")
    .limit(INVITATIONS_PAGE)
    .offset((shown - 1) * INVITATIONS_PAGE)
    .execute();
  return { items, page: shown, pages };
}

/** Every organisation an LIVC ever invited (the invite form offers them without a search). */
export const organisationsInvitedBy = async (db: Db, livcId: string): Promise<string[]> =>
  (await db.selectFrom("partner_invitation").select("organisation_id").distinct().where("livc_id", "=", livcId).execute()).map((r) => r.organisation_id);

// ---------------------------------------------------------------------------------------------
// The participation analysis' reads: only the columns and rows it uses (issue 9).

export const organisationSectors = (db: Db) => db.selectFrom("organisation").select(["id", "sector"]).execute();

/** Seats of organisations that began on or before the date (later ones never count for it). */
export const organisationSeatsFrom = (db: Db, date: string) =>
  db
    .selectFrom("livc_partner")
    .select(["livc_id", "organisation_id", "from_on", "to_on"])
    .where("organisation_id", "is not", null)
    .where("from_on", "<=", date)
    .execute();

/**
 * Structural invitations (to take a seat at the LIVC) sent on or before the date, with what their status
 * on the date depends on. Invitations to one case consultation follow a case and stay out of the
 * regional participation figures (decision 0052).
 */
export const invitationsSentBy = (db: Db, date: string) =>
  db
    .selectFrom("partner_invitation")
    .select(["livc_id", "organisation_id", "sent_on", "expires_on", "status", "responded_on", "decline_reason"])
    .where("kind", "=", "structural")
    .where("sent_on", "<=", date)
    .execute();

/** The attended lines of consultations held between from and to (covering index, one pass). */
export const attendedBetween = (db: Db, from: string, to: string) =>
  db
    .selectFrom("consultation")
    .innerJoin("consultation_attendance", "consultation_attendance.consultation_id", "consultation.id")
    .select(["consultation_attendance.consultation_id", "consultation_attendance.organisation_id", "consultation_attendance.attended"])
    .where("consultation.status", "=", "held")
    .where("consultation.held_on", ">=", from)
    .where("consultation.held_on", "<=", to)
    .where("consultation_attendance.attended", "=", 1)
    // A core member's line without an organisation (decision 0051) is no organisation's presence.
    .where("consultation_attendance.organisation_id", "is not", null)
    .$narrowType<{ organisation_id: string }>()
    .execute();

/** Organisations invited structurally to one LIVC up to a date (index partner_invitation_livc). */
export const structuralInviteesOf = (db: Db, livcId: string, date: string) =>
  db.selectFrom("partner_invitation").select("organisation_id").where("livc_id", "=", livcId).where("sent_on", "<=", date).where("kind", "=", "structural").execute();

/** The sectors of the given organisations. */
export const sectorsOfOrganisations = (db: Db, ids: readonly string[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom("organisation").select(["id", "sector"]).where("id", "in", [...ids]).execute();

export const allInvitations = (db: Db) =>
  db
    .selectFrom("partner_invitation")
    .select(["id", "livc_id", "organisation_id", "kind", "sent_on", "expires_on", "status", "responded_on", "decline_reason"])
    .execute();

// ---------------------------------------------------------------------------------------------
// Consultations and the attendance register.

export async function insertConsultation(db: Db, c: { livc_id: string; held_on: string; status: ConsultationStatus; id?: string }): Promise<string> {
  const id = c.id ?? newId();
  await changing(db, (trx) =>
    trx.insertInto("consultation").values({ id, livc_id: c.livc_id, held_on: c.held_on, kind: "case_consultation", status: c.status, created_at: nowIso() }).execute(),
  );
  return id;
}

export const consultationById = (db: Db, id: string) =>
  db.selectFrom("consultation").select(["id", "livc_id", "held_on", "kind", "status", "created_at"]).where("id", "=", id).executeTakeFirst();

export const setConsultationStatus = (db: Db, id: string, status: ConsultationStatus) =>
  changing(db, (trx) => trx.updateTable("consultation").set({ status }).where("id", "=", id).execute());

export const consultationsOf = (db: Db, livcId: string, from: string, to: string) =>
  db
    .selectFrom("consultation")
    .select(["id", "livc_id", "held_on", "kind", "status", "created_at"])
    .where("livc_id", "=", livcId)
    .where("held_on", ">=", from)
    .where("held_on", "<=", to)
    .orderBy("held_on")
    .execute();

export const heldConsultationsBetween = (db: Db, from: string, to: string) =>
  db
    .selectFrom("consultation")
    .select(["id", "livc_id", "held_on"])
    .where("status", "=", "held")
    .where("held_on", ">=", from)
    .where("held_on", "<=", to)
    .execute();

/**
 * One line per person per consultation (or, without a person, per organisation): replaces an earlier
 * line. A person's organisation may be null: a core member without one (decision 0051).
 */
export async function upsertAttendance(
  db: Db,
  a: { consultation_id: string; user_id: string | null; organisation_id: string | null; sector: Sector | null; attended: boolean },
): Promise<string> {
  const id = newId();
  await changing(db, async (trx) => {
    let q = trx.deleteFrom("consultation_attendance").where("consultation_id", "=", a.consultation_id);
    if (a.user_id !== null) q = q.where("user_id", "=", a.user_id);
    else q = q.where("user_id", "is", null).where("organisation_id", "=", a.organisation_id ?? "-");
    await q.execute();
    await trx
      .insertInto("consultation_attendance")
      .values({ id, ...a, attended: a.attended ? 1 : 0, recorded_at: nowIso() })
      .execute();
  });
  return id;
}

export const attendanceFor = (db: Db, consultationId: string) =>
  db
    .selectFrom("consultation_attendance")
    .leftJoin("organisation", "organisation.id", "consultation_attendance.organisation_id")
    .leftJoin("app_user", "app_user.id", "consultation_attendance.user_id")
    .select([
      "consultation_attendance.id",
      "consultation_attendance.consultation_id",
      "consultation_attendance.user_id",
      "consultation_attendance.organisation_id",
      "consultation_attendance.sector",
      "consultation_attendance.attended",
      "consultation_attendance.recorded_at",
      "organisation.name as organisation_name",
      "app_user.display_name",
    ])
    .where("consultation_attendance.consultation_id", "=", consultationId)
    .orderBy("organisation.name")
    .execute();

export const attendanceBetween = (db: Db, from: string, to: string) =>
  db
    .selectFrom("consultation_attendance")
    .innerJoin("consultation", "consultation.id", "consultation_attendance.consultation_id")
    .select(["consultation_attendance.consultation_id", "consultation_attendance.organisation_id", "consultation_attendance.attended"])
    .where("consultation.status", "=", "held")
    .where("consultation.held_on", ">=", from)
    .where("consultation.held_on", "<=", to)
    .where("consultation_attendance.organisation_id", "is not", null)
    .$narrowType<{ organisation_id: string }>()
    .execute();

/** Held consultations counted per LIVC and month of held_on ("YYYY-MM"), between from and to inclusive. */
export const heldConsultationsByMonth = (db: Db, from: string, to: string) =>
  db
    .selectFrom("consultation")
    .select((eb) => ["livc_id", sql<string>`substr(held_on, 1, 7)`.as("month"), eb.fn.countAll().as("n")])
    .where("status", "=", "held")
    .where("held_on", ">=", from)
    .where("held_on", "<=", to)
    .groupBy(["livc_id", sql`substr(held_on, 1, 7)`])
    .execute();

/** The distinct sectors attending held consultations, per LIVC and month of held_on: one query. */
export const attendedSectorsByMonth = (db: Db, from: string, to: string) =>
  db
    .selectFrom("consultation_attendance")
    .innerJoin("consultation", "consultation.id", "consultation_attendance.consultation_id")
    .innerJoin("organisation", "organisation.id", "consultation_attendance.organisation_id")
    .select(["consultation.livc_id", sql<string>`substr(consultation.held_on, 1, 7)`.as("month"), "consultation_attendance.sector"])
    .distinct()
    .where("consultation.status", "=", "held")
    .where("consultation.held_on", ">=", from)
    .where("consultation.held_on", "<=", to)
    .where("consultation_attendance.attended", "=", 1)
    .where("consultation_attendance.sector", "is not", null)
    .$narrowType<{ sector: Sector }>()
    .execute();

/** Names of the given organisations (ids not found are left out). */
const organisationNamesQuery = precompiled((db, ids: readonly string[]) => db.selectFrom("organisation").select(["id", "name"]).where("id", "in", ids).orderBy("name"));
export const organisationsByIds = (db: Db, ids: string[]) => (ids.length === 0 ? Promise.resolve([]) : organisationNamesQuery(db, ids));

/** Organisations registered as working in any of these municipalities, by name (index organisation_municipality_nis). */
export const organisationsWorkingIn = (db: Db, nis: readonly string[]) =>
  nis.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom("organisation")
        .select(["id", "name", "sector"])
        .where("id", "in", (eb) => eb.selectFrom("organisation_municipality").select("organisation_id").where("nis", "in", [...nis]))
        .orderBy("name")
        .execute();

// Organisations by name search and by id: the organisation table belongs to the identity module (its store reads it for the account page too).
export { organisationsNamed, organisationsWithIds } from "../identity/store";
