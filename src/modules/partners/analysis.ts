/**
 * Participation analysis per LIVC and for Flanders, by sector. Facts and counts only: no score,
 * no ranking. Pure functions over rows loaded once (participationReport loads them).
 *
 * Definitions (also in docs/ARCHITECTURE.md, "Partners and participation"):
 * - LIVCs: the LIVCs active on the date (the register's coverage on that date).
 * - Member: an organisation holding a seat (mandatory or partner) on the date.
 * - Period: the 12 months up to and including the date (from = date minus one year plus one day).
 * - Invitations: those sent in the period; accepted/declined/expired as they stood on the date. The
 *   loader passes structural invitations only, and the regional figures ask only for dates that end
 *   a whole quarter (report.ts participationWindow, decision 0052).
 * - Attendance rate: over consultations held in the period, each (member organisation, consultation
 *   held while it was a member) is one expected presence; the rate is attended / expected, null
 *   without any expected presence.
 * - Flags per LIVC x sector: "declined" (invited in the period, declined, not a member);
 *   "low_attendance" (a member organisation attended fewer than half of the consultations held
 *   while it was a member in the period); "never_invited" (an organisation of the sector works in a
 *   municipality the LIVC covers, is not a member and was never invited by that LIVC).
 */
import { addDays } from "../../platform/db/values";
import { isSector, SECTOR_KEYS, type Sector } from "../identity/sectors";
import { statusOn } from "./invitations";
import { activeOn } from "./membership";
import { DECLINE_REASONS, type DeclineReason, type InvitationStatus } from "./migrations";

/**
 * "Social partner" sectors (VVSG 2021: "71% of municipalities had no social partner at the table"):
 * the welfare, education, youth, integration, justice-assistance and health services. NOT social
 * partners: the security partners of the mandatory seats (local police, the municipal prevention
 * service) and "other" (unknown).
 */
export const SOCIAL_PARTNER_SECTORS = [
  "ocmw_social_service",
  "clb",
  "school_primary",
  "school_secondary",
  "youth_work",
  "neighbourhood_street_work",
  "integration_service",
  "caw",
  "justice_house",
  "mental_health_cgg",
  "child_family",
  "employment_training",
  "sport_sociocultural",
] as const satisfies readonly Sector[];

export const isSocialPartner = (s: Sector) => (SOCIAL_PARTNER_SECTORS as readonly Sector[]).includes(s);

export type CellStatus = "member" | "declined" | "pending" | "never_invited" | "none";

export interface AnalysisInput {
  date: string;
  /** Active LIVCs on the date with the municipalities (NIS) they cover. */
  livcs: { id: string; code: string; name: string; nis: string[] }[];
  /** The sector of each organisation (the name is not used). */
  organisations: { id: string; sector: string; name?: string }[];
  seats: { livc_id: string; organisation_id: string | null; from_on: string; to_on: string | null }[];
  invitations: { livc_id: string; organisation_id: string; sent_on: string; expires_on: string; status: string; responded_on: string | null; decline_reason: string | null }[];
  /** Held consultations (any dates; filtered to the period here). */
  consultations: { id: string; livc_id: string; held_on: string }[];
  attendance: { consultation_id: string; organisation_id: string; attended: number | boolean }[];
  organisationMunicipalities: { organisation_id: string; nis: string }[];
}

export interface InvitationCounts { sent: number; pending: number; accepted: number; declined: number; expired: number; withdrawn: number }
export interface SectorFigures {
  sector: Sector;
  social_partner: boolean;
  livcs_member: number;
  share_livcs_member: number | null;
  invitations: InvitationCounts;
  decline_reasons: Partial<Record<DeclineReason, number>>;
  attendance_rate: number | null;
  /** Expected presences behind the rate, and how many organisations they come from. */
  attendance_expected: number;
  attendance_organisations: number;
  livcs_declined: number;
  livcs_low_attendance: number;
  livcs_never_invited: number;
}
export interface LivcCell { status: CellStatus; low_attendance: boolean; members: number }
export interface LivcRow {
  livc_id: string;
  code: string;
  name: string;
  social_partner: boolean;
  cells: Record<Sector, LivcCell>;
  invitations: InvitationCounts;
  decline_reasons: Partial<Record<DeclineReason, number>>;
  attendance_rate: number | null;
}
export interface ParticipationAnalysis {
  date: string;
  period: { from: string; to: string };
  livcs: number;
  livcs_without_social_partner: number;
  share_without_social_partner: number | null;
  social_partner_sectors: readonly Sector[];
  by_sector: SectorFigures[];
  by_livc: LivcRow[];
}

/** The first day of the 12 months ending on `date` (2025-06-30 -> 2024-07-01). */
export function periodStart(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  const day = m === 2 && d === 29 ? 28 : d;
  return addDays(`${y - 1}-${String(m).padStart(2, "0")}-${String(day).padStart(2, "0")}`, 1);
}

const emptyCounts = (): InvitationCounts => ({ sent: 0, pending: 0, accepted: 0, declined: 0, expired: 0, withdrawn: 0 });
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Appends to the list under `key` (creating it): one pass to group rows by a parent id. */
function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The reasons in DECLINE_REASONS order, whatever order the rows came in. */
const orderedReasons = (r: Partial<Record<DeclineReason, number>>) => {
  const out: Partial<Record<DeclineReason, number>> = {};
  for (const k of DECLINE_REASONS) if (r[k] !== undefined) out[k] = r[k];
  return out;
};

/**
 * One pass over each input (issue 9): rows are grouped by LIVC once, instead of filtering every
 * seat and invitation again for each LIVC (LIVCs x invitations); an invitation's status on the date
 * is computed once. Same figures as before (analysis-equivalence.test.ts compares it with the
 * earlier algorithm on random data sets).
 */
export function analyseParticipation(input: AnalysisInput): ParticipationAnalysis {
  const { date } = input;
  const from = periodStart(date);
  const sectorOf = new Map<string, Sector>();
  for (const o of input.organisations) sectorOf.set(o.id, isSector(o.sector) ? o.sector : "other");
  const sector = (o: string): Sector => sectorOf.get(o) ?? "other";
  const orgsByNis = new Map<string, string[]>();
  for (const om of input.organisationMunicipalities) push(orgsByNis, om.nis, om.organisation_id);
  // consultation id -> organisations recorded present (any line of theirs marked attended).
  const attendedBy = new Map<string, Set<string>>();
  for (const a of input.attendance) {
    if (a.attended !== 1 && a.attended !== true) continue;
    const set = attendedBy.get(a.consultation_id);
    if (set) set.add(a.organisation_id);
    else attendedBy.set(a.consultation_id, new Set([a.organisation_id]));
  }
  const heldByLivc = new Map<string, { id: string; held_on: string }[]>();
  for (const c of input.consultations) if (c.held_on >= from && c.held_on <= date) push(heldByLivc, c.livc_id, c);
  const seatsByLivc = new Map<string, { organisation_id: string; from_on: string; to_on: string | null }[]>();
  for (const s of input.seats) if (s.organisation_id && s.from_on <= date) push(seatsByLivc, s.livc_id, { organisation_id: s.organisation_id, from_on: s.from_on, to_on: s.to_on });
  // Invitations: ever invited (sent on or before the date) per LIVC; those of the period with their status on the date.
  const invitedEverByLivc = new Map<string, Set<string>>();
  const periodByLivc = new Map<string, { organisation_id: string; status: NonNullable<ReturnType<typeof statusOn>>; reason: DeclineReason | null }[]>();

  const bySector = new Map<Sector, SectorFigures>(
    SECTOR_KEYS.map((s) => [
      s,
      {
        sector: s,
        social_partner: isSocialPartner(s),
        livcs_member: 0,
        share_livcs_member: null,
        invitations: emptyCounts(),
        decline_reasons: {},
        attendance_rate: null,
        attendance_expected: 0,
        attendance_organisations: 0,
        livcs_declined: 0,
        livcs_low_attendance: 0,
        livcs_never_invited: 0,
      },
    ]),
  );
  const attendedBySector = new Map<Sector, number>();
  const orgsInRate = new Map<Sector, Set<string>>();

  const count = (counts: InvitationCounts, reasons: Partial<Record<DeclineReason, number>>, st: InvitationStatus, reason: DeclineReason | null) => {
    counts.sent++;
    counts[st]++;
    if (st === "declined" && reason) reasons[reason] = (reasons[reason] ?? 0) + 1;
  };
  for (const inv of input.invitations) {
    if (inv.sent_on > date) continue;
    const ever = invitedEverByLivc.get(inv.livc_id);
    if (ever) ever.add(inv.organisation_id);
    else invitedEverByLivc.set(inv.livc_id, new Set([inv.organisation_id]));
    if (inv.sent_on < from) continue;
    const st = statusOn(inv as Parameters<typeof statusOn>[0], date);
    if (!st) continue;
    const reason = inv.decline_reason && (DECLINE_REASONS as readonly string[]).includes(inv.decline_reason) ? (inv.decline_reason as DeclineReason) : null;
    push(periodByLivc, inv.livc_id, { organisation_id: inv.organisation_id, status: st, reason });
    const f = bySector.get(sector(inv.organisation_id))!;
    count(f.invitations, f.decline_reasons, st, reason);
  }

  const rows: LivcRow[] = [];
  for (const livc of [...input.livcs].sort((a, b) => a.code.localeCompare(b.code))) {
    const seats = seatsByLivc.get(livc.id) ?? [];
    const membersToday = new Set<string>();
    for (const s of seats) if (activeOn(s, date)) membersToday.add(s.organisation_id);
    const row: LivcRow = {
      livc_id: livc.id,
      code: livc.code,
      name: livc.name,
      social_partner: [...membersToday].some((o) => isSocialPartner(sector(o))),
      cells: Object.fromEntries(SECTOR_KEYS.map((s) => [s, { status: "none", low_attendance: false, members: 0 }])) as Record<Sector, LivcCell>,
      invitations: emptyCounts(),
      decline_reasons: {},
      attendance_rate: null,
    };
    for (const o of membersToday) {
      const cell = row.cells[sector(o)];
      cell.status = "member";
      cell.members++;
    }
    // Attendance: every organisation with a seat on the day of a held consultation expects a presence.
    let expected = 0;
    let attended = 0;
    const perOrg = new Map<string, { expected: number; attended: number }>();
    const present = new Set<string>();
    for (const c of heldByLivc.get(livc.id) ?? []) {
      present.clear();
      for (const s of seats) if (activeOn(s, c.held_on)) present.add(s.organisation_id);
      const there = attendedBy.get(c.id);
      for (const o of present) {
        const hit = there?.has(o) ?? false;
        const p = perOrg.get(o);
        if (p) {
          p.expected++;
          if (hit) p.attended++;
        } else perOrg.set(o, { expected: 1, attended: hit ? 1 : 0 });
        expected++;
        const s = sector(o);
        bySector.get(s)!.attendance_expected++;
        if (hit) {
          attended++;
          attendedBySector.set(s, (attendedBySector.get(s) ?? 0) + 1);
        }
        const set = orgsInRate.get(s);
        if (set) set.add(o);
        else orgsInRate.set(s, new Set([o]));
      }
    }
    row.attendance_rate = ratio(attended, expected);
    for (const [o, p] of perOrg) {
      if (membersToday.has(o) && p.attended * 2 < p.expected) row.cells[sector(o)].low_attendance = true;
    }
    for (const inv of periodByLivc.get(livc.id) ?? []) {
      count(row.invitations, row.decline_reasons, inv.status, inv.reason);
      const cell = row.cells[sector(inv.organisation_id)];
      if (cell.status === "member") continue;
      if (inv.status === "declined") cell.status = "declined";
      else if (inv.status === "pending" && cell.status !== "declined") cell.status = "pending";
    }
    row.decline_reasons = orderedReasons(row.decline_reasons);
    const invitedEver = invitedEverByLivc.get(livc.id);
    for (const nis of livc.nis) {
      for (const o of orgsByNis.get(nis) ?? []) {
        const cell = row.cells[sector(o)];
        if (cell.status === "none" && !invitedEver?.has(o) && !membersToday.has(o)) cell.status = "never_invited";
      }
    }
    for (const s of SECTOR_KEYS) {
      const f = bySector.get(s)!;
      const cell = row.cells[s];
      if (cell.status === "member") f.livcs_member++;
      if (cell.status === "declined") f.livcs_declined++;
      if (cell.status === "never_invited") f.livcs_never_invited++;
      if (cell.low_attendance) f.livcs_low_attendance++;
    }
    rows.push(row);
  }
  const n = rows.length;
  for (const f of bySector.values()) {
    f.share_livcs_member = ratio(f.livcs_member, n);
    f.attendance_rate = ratio(attendedBySector.get(f.sector) ?? 0, f.attendance_expected);
    f.attendance_organisations = orgsInRate.get(f.sector)?.size ?? 0;
    f.decline_reasons = orderedReasons(f.decline_reasons);
  }
  const without = rows.filter((r) => !r.social_partner).length;
  return {
    date,
    period: { from, to: date },
    livcs: n,
    livcs_without_social_partner: without,
    share_without_social_partner: ratio(without, n),
    social_partner_sectors: SOCIAL_PARTNER_SECTORS,
    by_sector: [...bySector.values()],
    by_livc: rows,
  };
}
