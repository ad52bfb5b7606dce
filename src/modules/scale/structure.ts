import type { Keyring } from "../../platform/crypto/keyring";
import type { Database } from "../../platform/db";
import { type Sector, SECTOR_KEYS } from "../identity/sectors";
import { municipalitiesOn } from "../reference/service";
import { FIRST_NAMES, LAST_NAMES } from "./names";
import { dateOfDay, dayNumber, type Rng } from "./random";
import type { BulkWriter } from "./writer";

/** The shape of the synthetic register, kept in memory for the later parts (cases, audit, awareness). */
export interface Structure {
  livcs: { id: string; code: string; founded: string; nis: string[]; weight: number }[];
  orgs: { id: string; sector: Sector; livc: number }[];
  users: { id: string; livc: number | null; role: string; org: string | null }[];
  chairOf: string[];
  leadsOf: string[][];
  reportersOf: string[][];
  partnersOf: string[][];
  seatOrgsOf: string[][];
  provinces: string[];
}

export interface ScaleCounts {
  livcs: number;
  organisations: number;
  users: number;
  cases: number;
  audit: number;
}

export const SCALE_DOMAIN = "scale.schakel.invalid";
const BUSY: Sector[] = ["local_police", "prevention_service", "ocmw_social_service", "clb", "school_secondary", "youth_work", "caw", "neighbourhood_street_work"];

export const fictionalName = (rng: Rng) => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;

export async function seedStructure(
  database: Database,
  w: BulkWriter,
  rng: Rng,
  keyring: Keyring,
  counts: ScaleCounts,
  opts: { passwordHash: string; totpSecret: string; now: string },
): Promise<Structure> {
  const db = database.db;
  const now = opts.now;
  const set2019 = await municipalitiesOn(db, "2019-01-01");
  const set2025 = await municipalitiesOn(db, "2025-01-01");
  const provinces = [...new Set(set2025.map((m) => m.province))].sort();
  const L = counts.livcs;
  const livcs: Structure["livcs"] = [];
  const rows = { livc: [] as Record<string, unknown>[], membership: [] as Record<string, unknown>[], status: [] as Record<string, unknown>[], framework: [] as Record<string, unknown>[] };
  for (let k = 0; k < L; k++) {
    const id = rng.id();
    const code = `SC${String(k + 1).padStart(3, "0")}`;
    const founded = dateOfDay(dayNumber("2019-01-01") + rng.int(0, 700));
    // A few big cities carry many more cases than a rural cell.
    livcs.push({ id, code, founded, nis: [], weight: k < Math.max(1, Math.round(L / 25)) ? 4 : 1 });
    rows.livc.push({ id, code, name: `LIVC ${code} (synthetisch)`, founded_on: founded, chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null, created_at: now, updated_at: now });
    rows.status.push({ id: rng.id(), livc_id: id, status: "operational", from_on: founded, note: null, created_at: now });
    rows.framework.push({ id: rng.id(), livc_id: id, version: 1, participants: "Burgemeester, politie, preventiedienst, OCMW en partners per casus", purpose: "Casusoverleg over radicalisering en gewelddadig extremisme", working_arrangements: "Maandelijks overleg; uitnodiging per casus", adopted_on: founded, created_at: now });
  }
  // About four in five municipalities belong to a cell (the real coverage is of that order).
  const cover = (list: typeof set2019, from: string | null) => {
    list.forEach((m, i) => {
      if (i % 5 === 4 && L > 1) return;
      const k = i % L;
      const joined = from ?? [livcs[k].founded, m.valid_from].sort()[1];
      const left = m.valid_to ? dateOfDay(dayNumber(m.valid_to) + 1) : null;
      if (left && left <= joined) return;
      livcs[k].nis.push(m.nis);
      rows.membership.push({ id: rng.id(), livc_id: livcs[k].id, nis: m.nis, joined_on: joined, left_on: left, created_at: now });
    });
  };
  cover(set2019, null);
  cover(set2025.filter((m) => m.valid_from >= "2025-01-01"), "2025-01-01");
  for (const l of livcs) if (l.nis.length === 0) l.nis.push(set2025[0].nis);

  const orgs: Structure["orgs"] = [];
  const orgRows: Record<string, unknown>[] = [];
  const orgMunicipality: Record<string, unknown>[] = [];
  for (let o = 0; o < counts.organisations; o++) {
    const livc = o % L;
    const round = Math.floor(o / L);
    const sector = round < BUSY.length ? BUSY[round] : rng.pick(SECTOR_KEYS);
    const id = rng.id();
    orgs.push({ id, sector, livc });
    orgRows.push({ id, name: `${sector} ${livcs[livc].code}-${round + 1} (synthetisch)`, sector, created_at: now });
    for (const nis of livcs[livc].nis.slice(0, 2)) orgMunicipality.push({ organisation_id: id, nis, created_at: now });
  }
  const orgsOf = livcs.map(() => [] as string[]);
  for (const o of orgs) orgsOf[o.livc].push(o.id);

  const users: Structure["users"] = [];
  const userRows: Record<string, unknown>[] = [];
  const memberships: Record<string, unknown>[] = [];
  const platformRoles: Record<string, unknown>[] = [];
  const contacts: Record<string, unknown>[] = [];
  const addUser = (email: string, livc: number | null, role: string, org: string | null) => {
    const id = rng.id();
    users.push({ id, livc, role, org });
    userRows.push({
      id,
      email,
      display_name: fictionalName(rng),
      password_hash: opts.passwordHash,
      totp_secret: keyring.encrypt({ table: "app_user", column: "totp_secret", rowId: id }, opts.totpSecret),
      totp_last_step: null,
      oidc_issuer: null,
      oidc_subject: null,
      status: "active",
      organisation_id: org,
      created_at: now,
      updated_at: now,
    });
    if (livc !== null) memberships.push({ id: rng.id(), user_id: id, livc_id: livcs[livc].id, role, organisation_id: org, valid_from: livcs[livc].founded, valid_to: null });
    return id;
  };
  for (const role of ["admin", "regional_analyst", "dpo"] as const) {
    const id = addUser(`${role.replace("_", "-")}@${SCALE_DOMAIN}`, null, role, null);
    platformRoles.push({ user_id: id, role, granted_at: now });
  }
  const chairOf: string[] = [];
  const leadsOf: string[][] = [];
  for (let k = 0; k < L; k++) {
    const chair = addUser(`chair-${k + 1}@${SCALE_DOMAIN}`, k, "chair", null);
    const coordinator = addUser(`coordinator-${k + 1}@${SCALE_DOMAIN}`, k, "coordinator", null);
    const info = addUser(`info-${k + 1}@${SCALE_DOMAIN}`, k, "information_officer", orgsOf[k][0] ?? null);
    chairOf.push(chair);
    leadsOf.push([chair, coordinator, info]);
    Object.assign(rows.livc[k], { chair_user_id: chair, chair_name: userRows[userRows.length - 3].display_name, coordinator_user_id: coordinator, coordinator_name: userRows[userRows.length - 2].display_name, info_officer_user_id: info, info_officer_name: userRows[userRows.length - 1].display_name });
  }
  const reportersOf = livcs.map(() => [] as string[]);
  const partnersOf = livcs.map(() => [] as string[]);
  for (let i = users.length; i < counts.users; i++) {
    const k = i % L;
    const org = orgsOf[k].length ? orgsOf[k][Math.floor(i / L) % orgsOf[k].length] : null;
    const partner = Math.floor(i / L) % 2 === 0;
    const id = addUser(`user-${i}@${SCALE_DOMAIN}`, k, partner ? "partner_member" : "reporter", org);
    (partner ? partnersOf : reportersOf)[k].push(id);
    if (partner && org) contacts.push({ organisation_id: org, user_id: id, created_at: now });
  }
  for (let k = 0; k < L; k++) if (reportersOf[k].length === 0) reportersOf[k].push(leadsOf[k][2]);

  // Seats: the three mandatory ones, and a skewed number of partner organisations (many cells have few).
  const seats: Record<string, unknown>[] = [];
  const seatOrgsOf: string[][] = [];
  for (let k = 0; k < L; k++) {
    const from = livcs[k].founded;
    seats.push({ id: rng.id(), livc_id: livcs[k].id, seat: "chair", organisation_id: null, user_id: chairOf[k], from_on: from, to_on: null, invitation_id: null, created_at: now });
    const [police, prevention, ...rest] = orgsOf[k];
    if (police) seats.push({ id: rng.id(), livc_id: livcs[k].id, seat: "information_officer", organisation_id: police, user_id: leadsOf[k][2], from_on: from, to_on: null, invitation_id: null, created_at: now });
    if (prevention) seats.push({ id: rng.id(), livc_id: livcs[k].id, seat: "prevention_official", organisation_id: prevention, user_id: null, from_on: from, to_on: null, invitation_id: null, created_at: now });
    const partners = rest.slice(0, rng.chance(0.7) ? rng.int(0, 1) : rng.int(2, 6));
    for (const org of partners) seats.push({ id: rng.id(), livc_id: livcs[k].id, seat: "partner", organisation_id: org, user_id: null, from_on: from, to_on: null, invitation_id: null, created_at: now });
    seatOrgsOf.push([police, prevention, ...partners].filter(Boolean));
  }

  await w.write([
    ["livc", rows.livc],
    ["livc_membership", rows.membership],
    ["livc_status", rows.status],
    ["livc_framework", rows.framework],
    ["organisation", orgRows],
    ["organisation_municipality", orgMunicipality],
    ["app_user", userRows],
    ["platform_role", platformRoles],
    ["membership", memberships],
    ["organisation_contact", contacts],
    ["livc_partner", seats],
  ]);
  return { livcs, orgs, users, chairOf, leadsOf, reportersOf, partnersOf, seatOrgsOf, provinces };
}
