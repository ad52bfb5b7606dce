/**
 * TESTS ONLY: the participation analysis as it was before the issue 9 rewrite (commit 674a493),
 * kept verbatim as the reference the optimised analyseParticipation must match on every input
 * (analysis-equivalence.test.ts). Quadratic in LIVCs x invitations; never use it in the app.
 */
import { SECTOR_KEYS, type Sector, isSector } from "../identity/sectors";
import { type AnalysisInput, type InvitationCounts, type LivcCell, type LivcRow, type ParticipationAnalysis, type SectorFigures, SOCIAL_PARTNER_SECTORS, isSocialPartner, periodStart } from "./analysis";
import { statusOn } from "./invitations";
import { activeOn } from "./membership";
import { DECLINE_REASONS, type DeclineReason } from "./migrations";

const emptyCounts = (): InvitationCounts => ({ sent: 0, pending: 0, accepted: 0, declined: 0, expired: 0, withdrawn: 0 });
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

export function referenceAnalysis(input: AnalysisInput): ParticipationAnalysis {
  const { date } = input;
  const from = periodStart(date);
  const sectorOf = new Map<string, Sector>();
  for (const o of input.organisations) sectorOf.set(o.id, isSector(o.sector) ? o.sector : "other");
  const orgsByNis = new Map<string, Set<string>>();
  for (const om of input.organisationMunicipalities) {
    const set = orgsByNis.get(om.nis) ?? new Set<string>();
    set.add(om.organisation_id);
    orgsByNis.set(om.nis, set);
  }
  const attendedSet = new Set(input.attendance.filter((a) => a.attended === 1 || a.attended === true).map((a) => `${a.consultation_id}|${a.organisation_id}`));
  const heldByLivc = new Map<string, { id: string; held_on: string }[]>();
  for (const c of input.consultations) {
    if (c.held_on < from || c.held_on > date) continue;
    const list = heldByLivc.get(c.livc_id) ?? [];
    list.push(c);
    heldByLivc.set(c.livc_id, list);
  }
  const invitationsInPeriod = input.invitations.filter((i) => i.sent_on >= from && i.sent_on <= date);

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

  const count = (counts: InvitationCounts, reasons: Partial<Record<DeclineReason, number>>, inv: AnalysisInput["invitations"][number]) => {
    const st = statusOn(inv as Parameters<typeof statusOn>[0], date);
    if (!st) return;
    counts.sent++;
    counts[st]++;
    if (st === "declined" && inv.decline_reason && (DECLINE_REASONS as readonly string[]).includes(inv.decline_reason)) {
      const r = inv.decline_reason as DeclineReason;
      reasons[r] = (reasons[r] ?? 0) + 1;
    }
    return st;
  };
  for (const inv of invitationsInPeriod) {
    const f = bySector.get(sectorOf.get(inv.organisation_id) ?? "other")!;
    count(f.invitations, f.decline_reasons, inv);
  }

  const rows: LivcRow[] = [];
  for (const livc of [...input.livcs].sort((a, b) => a.code.localeCompare(b.code))) {
    const seats = input.seats.filter((s) => s.livc_id === livc.id && s.organisation_id);
    const membersToday = seats.filter((s) => activeOn(s, date)).map((s) => s.organisation_id!);
    const held = heldByLivc.get(livc.id) ?? [];
    const row: LivcRow = {
      livc_id: livc.id,
      code: livc.code,
      name: livc.name,
      social_partner: membersToday.some((o) => isSocialPartner(sectorOf.get(o) ?? "other")),
      cells: Object.fromEntries(SECTOR_KEYS.map((s) => [s, { status: "none", low_attendance: false, members: 0 }])) as Record<Sector, LivcCell>,
      invitations: emptyCounts(),
      decline_reasons: {},
      attendance_rate: null,
    };
    for (const o of new Set(membersToday)) {
      const cell = row.cells[sectorOf.get(o) ?? "other"];
      cell.status = "member";
      cell.members++;
    }
    // Attendance: every seat period that overlaps a held consultation expects a presence.
    let expected = 0;
    let attended = 0;
    const perOrg = new Map<string, { expected: number; attended: number }>();
    for (const c of held) {
      const present = new Set(seats.filter((s) => activeOn(s, c.held_on)).map((s) => s.organisation_id!));
      for (const o of present) {
        const hit = attendedSet.has(`${c.id}|${o}`);
        const p = perOrg.get(o) ?? { expected: 0, attended: 0 };
        p.expected++;
        if (hit) p.attended++;
        perOrg.set(o, p);
        expected++;
        if (hit) attended++;
        const s = sectorOf.get(o) ?? "other";
        bySector.get(s)!.attendance_expected++;
        if (hit) attendedBySector.set(s, (attendedBySector.get(s) ?? 0) + 1);
        const set = orgsInRate.get(s) ?? new Set<string>();
        set.add(o);
        orgsInRate.set(s, set);
      }
    }
    row.attendance_rate = ratio(attended, expected);
    for (const [o, p] of perOrg) {
      if (membersToday.includes(o) && p.attended * 2 < p.expected) row.cells[sectorOf.get(o) ?? "other"].low_attendance = true;
    }
    const invitedEver = new Set(input.invitations.filter((i) => i.livc_id === livc.id && i.sent_on <= date).map((i) => i.organisation_id));
    for (const inv of invitationsInPeriod.filter((i) => i.livc_id === livc.id)) {
      const st = count(row.invitations, row.decline_reasons, inv);
      const cell = row.cells[sectorOf.get(inv.organisation_id) ?? "other"];
      if (cell.status === "member") continue;
      if (st === "declined") cell.status = "declined";
      else if (st === "pending" && cell.status !== "declined") cell.status = "pending";
    }
    for (const nis of livc.nis) {
      for (const o of orgsByNis.get(nis) ?? []) {
        const cell = row.cells[sectorOf.get(o) ?? "other"];
        if (cell.status === "none" && !invitedEver.has(o) && !membersToday.includes(o)) cell.status = "never_invited";
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
