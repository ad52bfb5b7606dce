/**
 * Seats at the LIVC table over time: the three mandatory members (chair, information officer of the
 * local police, prevention official) and partner organisations. Periods are [from_on, to_on] with
 * to_on inclusive (null = open). One organisation holds one seat per LIVC at a time; a mandatory
 * seat is held by one person or organisation at a time.
 */
import type { AppContext } from "../../platform/context";
import { audit, type AuditWho } from "../../platform/audit";
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { addDays, isIsoDate, todayInBrussels } from "../../platform/db/values";
import { endMembershipsOfOrganisation } from "../identity/service";
import { isSector, type Sector } from "../identity/sectors";
import { livcById, registerTimeline } from "../registry/service";
import { PartnerRuleError } from "./errors";
import { MANDATORY_SEATS, type Seat, SEATS } from "./migrations";
import * as store from "./store";

export interface Period { from_on: string; to_on: string | null }

/** Inclusive periods overlap when each starts on or before the other's last day. */
export const periodsOverlap = (a: Period, b: Period): boolean =>
  (b.to_on === null || a.from_on <= b.to_on) && (a.to_on === null || b.from_on <= a.to_on);

export const activeOn = (p: Period, date: string): boolean => p.from_on <= date && (p.to_on === null || p.to_on >= date);

export interface SeatInput {
  livcId: string;
  seat: Seat;
  organisationId: string | null;
  userId?: string | null;
  fromOn: string;
  toOn?: string | null;
  invitationId?: string | null;
}

async function checkSeat(ctx: AppContext, input: SeatInput, ignoreId?: string) {
  const db = ctx.database.db;
  if (!SEATS.includes(input.seat)) throw new PartnerRuleError("unknown_seat", "seat");
  if (!isIsoDate(input.fromOn)) throw new PartnerRuleError("bad_date", "from_on");
  if (input.toOn && !isIsoDate(input.toOn)) throw new PartnerRuleError("bad_date", "to_on");
  if (input.toOn && input.toOn < input.fromOn) throw new PartnerRuleError("to_before_from", "to_on");
  if (!(await livcById(db, input.livcId))) throw new PartnerRuleError("unknown_livc");
  if (input.seat !== "chair" && !input.organisationId) throw new PartnerRuleError("organisation_required", "organisation_id");
  if (input.organisationId && !(await store.organisationById(db, input.organisationId))) throw new PartnerRuleError("unknown_organisation", "organisation_id");
  const period = { from_on: input.fromOn, to_on: input.toOn ?? null };
  const others = (await store.partnersOfLivc(db, input.livcId)).filter((p) => p.id !== ignoreId && periodsOverlap(p, period));
  if (input.organisationId && others.some((p) => p.organisation_id === input.organisationId)) throw new PartnerRuleError("overlap", "from_on");
  if ((MANDATORY_SEATS as readonly Seat[]).includes(input.seat) && others.some((p) => p.seat === input.seat)) throw new PartnerRuleError("seat_taken", "seat");
}

export async function addSeat(ctx: AppContext, who: AuditWho, input: SeatInput): Promise<string> {
  await checkSeat(ctx, input);
  return ctx.database.db.transaction().execute(async (trx) => {
    const id = await store.insertPartner(trx, {
      livc_id: input.livcId,
      seat: input.seat,
      organisation_id: input.organisationId,
      user_id: input.userId ?? null,
      from_on: input.fromOn,
      to_on: input.toOn ?? null,
      invitation_id: input.invitationId ?? null,
    });
    await audit.recordFor(ctx, who, { action: "partners.seat.add", resourceType: "livc_partner", resourceId: id, livcId: input.livcId, outcome: "success" }, { db: trx });
    return id;
  });
}

/** One audit entry per partner_member membership ended with a seat or a contact, in the caller's transaction. */
async function auditEnded(ctx: AppContext, who: AuditWho, trx: Kysely<DB>, ended: Awaited<ReturnType<typeof endMembershipsOfOrganisation>>) {
  for (const m of ended) await audit.recordFor(ctx, who, { action: "account.membership.end", resourceType: "membership", resourceId: m.id, livcId: m.livcId, outcome: "success" }, { db: trx });
}

/**
 * Ends a seat on toOn (its last day), or reopens it with null. Ending it also ends, in the same
 * transaction, the partner_member roles of that LIVC representing that organisation (their last day:
 * toOn, when they ran longer), unless the organisation holds another seat there after toOn. Reopening
 * grants nothing back: the people get the role again from a chair or an administrator, or by
 * accepting a new invitation. Returns how many roles ended.
 */
export async function endSeat(ctx: AppContext, who: AuditWho, seatId: string, toOn: string | null): Promise<number> {
  const db = ctx.database.db;
  const p = await store.partnerById(db, seatId);
  if (!p) throw new PartnerRuleError("unknown_seat");
  await checkSeat(ctx, { livcId: p.livc_id, seat: p.seat, organisationId: p.organisation_id, userId: p.user_id, fromOn: p.from_on, toOn }, p.id);
  return db.transaction().execute(async (trx) => {
    await store.setPartnerEnd(trx, seatId, toOn);
    await audit.recordFor(ctx, who, { action: "partners.seat.end", resourceType: "livc_partner", resourceId: seatId, livcId: p.livc_id, outcome: "success" }, { db: trx });
    if (toOn === null || !p.organisation_id) return 0;
    const later = (await store.partnersOfLivc(trx, p.livc_id)).some((o) => o.id !== p.id && o.organisation_id === p.organisation_id && (o.to_on === null || o.to_on > toOn));
    if (later) return 0;
    const ended = await endMembershipsOfOrganisation(trx, { livcId: p.livc_id, organisationId: p.organisation_id, lastDay: toOn });
    await auditEnded(ctx, who, trx, ended);
    return ended.length;
  });
}

export const seatById = (ctx: AppContext, id: string) => store.partnerById(ctx.database.db, id);

export interface SeatView {
  id: string;
  seat: Seat;
  organisation_id: string | null;
  organisation_name: string | null;
  sector: Sector | null;
  user_id: string | null;
  from_on: string;
  to_on: string | null;
  active: boolean;
}

/** All seats of an LIVC (past, current, future), with organisation names and whether active on `date`. */
export async function seatsOfLivc(ctx: AppContext, livcId: string, date = todayInBrussels()): Promise<SeatView[]> {
  const db = ctx.database.db;
  const orgs = new Map((await store.allOrganisations(db)).map((o) => [o.id, o]));
  return (await store.partnersOfLivc(db, livcId)).map((p) => {
    const o = p.organisation_id ? orgs.get(p.organisation_id) : undefined;
    return {
      id: p.id,
      seat: p.seat,
      organisation_id: p.organisation_id,
      organisation_name: o?.name ?? null,
      sector: o && isSector(o.sector) ? o.sector : null,
      user_id: p.user_id,
      from_on: p.from_on,
      to_on: p.to_on,
      active: activeOn(p, date),
    };
  });
}

/** Organisation ids holding a seat in the LIVC on the date. */
export async function memberOrganisationsOn(ctx: AppContext, livcId: string, date: string): Promise<string[]> {
  return (await store.partnersOfLivc(ctx.database.db, livcId)).filter((p) => p.organisation_id && activeOn(p, date)).map((p) => p.organisation_id!);
}

// ---------------------------------------------------------------------------------------------
// Organisations: where they work, who answers for them.

export async function setOrganisationMunicipalities(ctx: AppContext, who: AuditWho, organisationId: string, nisCodes: string[]) {
  await ctx.database.db.transaction().execute(async (trx) => {
    await store.setOrganisationMunicipalities(trx, organisationId, nisCodes);
    await audit.recordFor(ctx, who, { action: "partners.organisation.municipalities", resourceType: "organisation", resourceId: organisationId, outcome: "success" }, { db: trx });
  });
}

export async function addOrganisationContact(ctx: AppContext, who: AuditWho, organisationId: string, userId: string) {
  await ctx.database.db.transaction().execute(async (trx) => {
    await store.addContact(trx, organisationId, userId);
    await audit.recordFor(ctx, who, { action: "partners.organisation.contact.add", resourceType: "organisation", resourceId: organisationId, outcome: "success" }, { db: trx });
  });
}

/**
 * Removes a contact of an organisation and, in the same transaction, ends that person's partner_member
 * roles for that organisation in every LIVC (last day: yesterday, so not today). Returns how many ended.
 */
export async function removeOrganisationContact(ctx: AppContext, who: AuditWho, organisationId: string, userId: string, today = todayInBrussels()): Promise<number> {
  return ctx.database.db.transaction().execute(async (trx) => {
    await store.removeContact(trx, organisationId, userId);
    await audit.recordFor(ctx, who, { action: "partners.organisation.contact.remove", resourceType: "organisation", resourceId: organisationId, outcome: "success" }, { db: trx });
    const ended = await endMembershipsOfOrganisation(trx, { organisationId, userId, lastDay: addDays(today, -1) });
    await auditEnded(ctx, who, trx, ended);
    return ended.length;
  });
}

export const organisationById = (ctx: AppContext, id: string) => store.organisationById(ctx.database.db, id);
export const organisationContacts = (ctx: AppContext, organisationIds: string[]) => store.contactsOf(ctx.database.db, organisationIds);
export const allOrganisationMunicipalities = (ctx: AppContext) => store.allOrganisationMunicipalities(ctx.database.db);

export const organisationMunicipalities = (ctx: AppContext, organisationId: string) => store.municipalitiesOf(ctx.database.db, organisationId);
export const contactOrganisations = (ctx: AppContext, userId: string) => store.contactOrganisationIds(ctx.database.db, userId);
export const organisations = (ctx: AppContext) => store.allOrganisations(ctx.database.db);

/** Organisations whose name contains the text (any case), by name, at most `limit`; plus the given ids. */
export async function findOrganisations(ctx: AppContext, text: string, limit: number, include: readonly string[] = []) {
  const db = ctx.database.db;
  const found = text.trim() ? await store.organisationsNamed(db, text.trim(), limit) : [];
  const have = new Set(found.map((o) => o.id));
  const extra = await store.organisationsWithIds(db, include.filter((id) => id && !have.has(id)));
  return [...found, ...extra].sort((a, b) => a.name.localeCompare(b.name, "nl"));
}

/** Most organisations a search on the LIVC partners page offers. */
export const ORGANISATION_SEARCH_LIMIT = 50;

/**
 * The organisations the LIVC partners page offers to invite or seat (issue 9: all 3,000 in two
 * dropdowns made a 731 KB page): those registered as working in the LIVC's municipalities today and
 * those already seated or invited; with a search text, the organisations whose name contains it
 * (at most ORGANISATION_SEARCH_LIMIT) instead of the local ones. Every organisation stays reachable.
 */
export async function organisationChoices(ctx: AppContext, livcId: string, today: string, search: string, already: readonly string[]) {
  const db = ctx.database.db;
  const text = search.trim();
  let found: { id: string; name: string; sector: string }[];
  if (text) found = await store.organisationsNamed(db, text, ORGANISATION_SEARCH_LIMIT);
  else {
    // The LIVC's member municipalities on the date, whatever its life status (a cell being set up invites too).
    const { timeline } = await registerTimeline(db);
    const nis = timeline.versionsOn(today).filter((v) => timeline.memberLivcOn(v, today).livcId === livcId).map((v) => v.nis);
    found = await store.organisationsWorkingIn(db, nis);
  }
  const have = new Set(found.map((o) => o.id));
  const extra = await store.organisationsWithIds(db, already.filter((id) => !have.has(id)));
  return [...found, ...extra].sort((a, b) => a.name.localeCompare(b.name, "nl"));
}
