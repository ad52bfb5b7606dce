/**
 * Loads what the analysis needs (the register through its service, this module's tables) and
 * shapes the regional view: counts of 1 to 4 that could point at one organisation become "<5".
 */
import type { SharedContent } from "../../platform/web/shared-content";
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { addDays, isIsoDate, todayInBrussels } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import { CALENDAR_START, registerRevision, registerTimeline } from "../registry/service";
import { type AnalysisInput, analyseParticipation, type CellStatus, type InvitationCounts, type ParticipationAnalysis, periodStart } from "./analysis";
import type { DeclineReason } from "./migrations";
import * as store from "./store";
import { extend } from "../../platform/objects";

export class ParticipationDateError extends Error {}

export function checkParticipationDate(date: string): string {
  if (!isIsoDate(date)) throw new ParticipationDateError(`"${date}" is not a date: write it as YYYY-MM-DD, for example 2025-06-30.`);
  if (date < CALENDAR_START) throw new ParticipationDateError(`The LIVC register starts on ${CALENDAR_START}: there are no participation figures for ${date}.`);
  return date;
}

/** The last day of the calendar quarter before the one `date` lies in (2026-12-16 -> 2026-09-30). */
export function previousQuarterEnd(date: string): string {
  const month = Number(date.slice(5, 7));
  const first = Math.floor((month - 1) / 3) * 3 + 1;
  return addDays(`${date.slice(0, 4)}-${String(first).padStart(2, "0")}-01`, -1);
}

/**
 * The window the regional figures of an asked date describe (decision 0052): the four whole calendar
 * quarters that ended before the date, as they stood on the last day of the newest one. A date after
 * today is answered as today (figures cannot look ahead), and today's own quarter is never counted.
 * So every date of one quarter gives the same figures, and no two dates differ by a day's
 * invitations or answers (counts of 1-4 could otherwise be read by subtraction, as in 0020).
 */
export interface ParticipationWindow {
  /** The date asked. */
  requested: string;
  /** The day the figures describe: the end of the newest whole quarter ended before `requested` and today. */
  date: string;
  /** The first day of the four quarters (= periodStart(date)). */
  from: string;
  /** The date asked lies after today. */
  after_today: boolean;
}

export function participationWindow(requested: string, today: string = todayInBrussels()): ParticipationWindow {
  checkParticipationDate(requested);
  const date = previousQuarterEnd(requested < today ? requested : today);
  if (date < CALENDAR_START) {
    const first = addDays(previousQuarterEnd(addDays(CALENDAR_START, 92)), 1);
    throw new ParticipationDateError(`date ${requested}: the first whole quarter of the LIVC register ended on ${addDays(first, -1)}, so participation figures exist for dates from ${first} on.`);
  }
  return { requested, date, from: periodStart(date), after_today: requested > today };
}

/** In English, for the API and the CLI: which window the parameter `date` was answered with, and why. */
export function windowNotice(w: ParticipationWindow): string {
  const window = `the four whole quarters ${w.from} to ${w.date}, as they stood on ${w.date}`;
  if (w.after_today) return `The parameter date (${w.requested}) lies after today: figures cannot look ahead. Shown are today's figures: ${window}, the quarters that ended before today.`;
  return `The parameter date (${w.requested}) was answered with ${window}: regional participation figures cover whole quarters that have ended before the date, never the running quarter, so every date of one quarter gives the same figures (decision 0052).`;
}

/** What the analysis of one date reads: only the rows and columns it uses (issue 9). */
export async function loadAnalysisInput(db: Kysely<DB>, date: string): Promise<AnalysisInput> {
  const { timeline } = await registerTimeline(db);
  const coverage = timeline.coverageOn(date);
  const livcs = [...coverage.livcMembers.entries()].map(([id, nis]) => {
    const ref = timeline.livcs.get(id);
    return { id, code: ref?.code ?? id, name: ref?.name ?? id, nis };
  });
  const from = periodStart(date);
  const [organisations, seats, invitations, consultations, attendance, organisationMunicipalities] = await Promise.all([
    store.organisationSectors(db),
    store.organisationSeatsFrom(db, date),
    store.invitationsSentBy(db, date),
    store.heldConsultationsBetween(db, from, date),
    store.attendedBetween(db, from, date),
    store.allOrganisationMunicipalities(db),
  ]);
  return { date, livcs, organisations, seats, invitations, consultations, attendance, organisationMunicipalities };
}

/**
 * The version of everything the figures are computed from: the register's revision and this
 * module's (partners_revision, replaced in the transaction of every write to seats, invitations,
 * consultations, attendance and organisations' municipalities). Read from the database, so app
 * instances sharing one PostgreSQL agree; read BEFORE the rows, so figures computed while a write
 * commits are filed under the old version, which no request asks for again (decision 0023).
 */
export async function participationRevision(db: Kysely<DB>): Promise<string> {
  const [register, partners] = await Promise.all([registerRevision(db), store.revision(db)]);
  return `${register}.${partners}`;
}

/** The figures of one date, computed once per revision: full, regional, and rendered pages per language. */
export interface ParticipationFigures {
  revision: string;
  analysis: ParticipationAnalysis;
  regional: RegionalParticipation;
  /** Rendered HTML of the figures per language, filled by the page route (bounded by the languages). */
  /** The rendered figures per language, kept with the report (compressed once: platform/web/shared-content.ts). */
  html: Map<string, SharedContent>;
}

/** Dates kept per database (each entry holds the figures and at most one page per language). */
export const CACHED_DATES = 8;
const figureCaches = new WeakMap<Kysely<DB>, { revision: string; byDate: Map<string, Promise<ParticipationFigures>> }>();

/**
 * The participation figures on a date, from the cache when the inputs have not changed since they
 * were computed. The cached objects are frozen: callers read them, never change them.
 */
export async function participationFigures(db: Kysely<DB>, date: string): Promise<ParticipationFigures> {
  checkParticipationDate(date);
  const revision = await participationRevision(db);
  let cache = figureCaches.get(db);
  if (!cache || cache.revision !== revision) {
    cache = { revision, byDate: new Map() };
    figureCaches.set(db, cache);
  }
  const { byDate } = cache;
  let figures = byDate.get(date);
  if (figures) {
    byDate.delete(date);
  } else {
    figures = computeFigures(db, date, revision);
    figures.catch(() => {
      if (byDate.get(date) === figures) byDate.delete(date);
    });
    if (byDate.size >= CACHED_DATES) byDate.delete(byDate.keys().next().value!);
  }
  byDate.set(date, figures);
  return figures;
}

async function computeFigures(db: Kysely<DB>, date: string, revision: string): Promise<ParticipationFigures> {
  const analysis = deepFreeze(analyseParticipation(await loadAnalysisInput(db, date)));
  return { revision, analysis, regional: deepFreeze(regionalView(analysis)), html: new Map() };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The full analysis (counts unsuppressed): for tests and for views inside one LIVC. Frozen. */
export async function participationReport(db: Kysely<DB>, date: string): Promise<ParticipationAnalysis> {
  return (await participationFigures(db, date)).analysis;
}

export type Shown = number | "<5";
/** Small-count suppression: 1 to 4 could point at one organisation. 0 stays 0. */
export const suppress = (n: number): Shown => (n >= 1 && n <= 4 ? "<5" : n);
/** A rate built on fewer than 5 organisations describes too few of them to be shown. */
export const MIN_ORGANISATIONS_FOR_RATE = 5;

const shownCounts = (c: InvitationCounts) => ({
  sent: suppress(c.sent),
  pending: suppress(c.pending),
  accepted: suppress(c.accepted),
  declined: suppress(c.declined),
  expired: suppress(c.expired),
  withdrawn: suppress(c.withdrawn),
});
const shownReasons = (r: Partial<Record<DeclineReason, number>>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, suppress(v ?? 0)])) as Partial<Record<DeclineReason, Shown>>;

export interface RegionalParticipation {
  date: string;
  period: { from: string; to: string };
  suppression: string;
  livcs: number;
  livcs_without_social_partner: number;
  share_without_social_partner: number | null;
  social_partner_sectors: readonly Sector[];
  by_sector: {
    sector: Sector;
    social_partner: boolean;
    livcs_member: number;
    share_livcs_member: number | null;
    invitations: Record<keyof InvitationCounts, Shown>;
    decline_reasons: Partial<Record<DeclineReason, Shown>>;
    attendance_rate: number | null;
    attendance_rate_suppressed: boolean;
    flags: { livcs_declined: number; livcs_low_attendance: number; livcs_never_invited: number };
  }[];
  by_livc: {
    livc_id: string;
    code: string;
    name: string;
    social_partner: boolean;
    invitations: Record<keyof InvitationCounts, Shown>;
    decline_reasons: Partial<Record<DeclineReason, Shown>>;
    cells: Partial<Record<Sector, { status: CellStatus; low_attendance: boolean }>>;
  }[];
}

/**
 * The figures as regional analysts (and the API, the CLI and the exports) see them: invitation counts
 * and decline reasons suppressed (1-4 -> "<5"), attendance rates hidden when fewer than 5
 * organisations are behind them, no names of people. LIVC counts and the matrix statuses describe
 * public bodies and stay as they are.
 */
export function regionalView(a: ParticipationAnalysis): RegionalParticipation {
  return {
    date: a.date,
    period: a.period,
    suppression: 'Counts of 1 to 4 invitations or decline reasons are shown as "<5"; attendance rates of fewer than 5 organisations are not shown.',
    livcs: a.livcs,
    livcs_without_social_partner: a.livcs_without_social_partner,
    share_without_social_partner: a.share_without_social_partner,
    social_partner_sectors: a.social_partner_sectors,
    by_sector: a.by_sector.map((f) => {
      const hide = f.attendance_rate !== null && f.attendance_organisations < MIN_ORGANISATIONS_FOR_RATE;
      return {
        sector: f.sector,
        social_partner: f.social_partner,
        livcs_member: f.livcs_member,
        share_livcs_member: f.share_livcs_member,
        invitations: shownCounts(f.invitations),
        decline_reasons: shownReasons(f.decline_reasons),
        attendance_rate: hide ? null : f.attendance_rate,
        attendance_rate_suppressed: hide,
        flags: { livcs_declined: f.livcs_declined, livcs_low_attendance: f.livcs_low_attendance, livcs_never_invited: f.livcs_never_invited },
      };
    }),
    by_livc: a.by_livc.map((r) => ({
      livc_id: r.livc_id,
      code: r.code,
      name: r.name,
      social_partner: r.social_partner,
      invitations: shownCounts(r.invitations),
      decline_reasons: shownReasons(r.decline_reasons),
      cells: Object.fromEntries(
        Object.entries(r.cells)
          .filter(([, c]) => c.status !== "none" || c.low_attendance)
          .map(([s, c]) => [s, { status: c.status, low_attendance: c.low_attendance }]),
      ),
    })),
  };
}

/** The regional figures (suppressed) as the API, the CLI and the exports give them: with the window asked and answered. */
export interface RegionalAnswer extends RegionalParticipation {
  requested_date: string;
  after_today: boolean;
  notice: string;
}

/**
 * The regional figures (suppressed) for an asked date: those of its window (participationWindow), cached
 * and frozen like participationReport; the answer says which window, and why, in `notice`.
 */
export async function regionalParticipation(db: Kysely<DB>, requested: string, today: string = todayInBrussels()): Promise<RegionalAnswer> {
  const window = participationWindow(requested, today);
  const { regional } = await participationFigures(db, window.date);
  return extend(regional, { requested_date: requested, after_today: window.after_today, notice: windowNotice(window) });
}

/** Partner sectors with a seat or an invitation in the LIVC on the date (registry readiness). */
export async function invitedSectorCount(db: Kysely<DB>, livcId: string, date: string): Promise<number> {
  // Only this LIVC's seats and invitations, and only their organisations (issue 9: it read every
  // organisation and every invitation of every LIVC, ~13 ms a call; the advice pages call it per LIVC).
  const [seats, invited] = await Promise.all([store.partnersOfLivc(db, livcId), store.structuralInviteesOf(db, livcId, date)]);
  const ids = new Set<string>();
  for (const s of seats) if (s.seat === "partner" && s.organisation_id && s.from_on <= date) ids.add(s.organisation_id);
  for (const i of invited) ids.add(i.organisation_id);
  const sectors = await store.sectorsOfOrganisations(db, [...ids]);
  return new Set(sectors.map((o) => o.sector)).size;
}
