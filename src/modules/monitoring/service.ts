/**
 * Regional coverage: which municipalities have an LIVC on a date. Reads the register only through
 * the registry's service (one cached timeline per register revision), never case data.
 * Figures count municipalities (public bodies), not persons: no small-count suppression applies
 * (docs/decisions: coverage counts municipalities).
 */
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { isIsoDate, todayInBrussels } from "../../platform/db/values";
import {
  CALENDAR_START,
  type CoverageOn,
  type MunicipalityCoverage,
  OBSTACLE_REASONS,
  type ObstacleReason,
  type RegisterTimeline,
  registerTimeline,
} from "../registry/service";
import { extend } from "../../platform/objects";

export interface CoverageReport {
  date: string;
  set: "2019" | "2025";
  municipalities: number;
  covered: number;
  without_livc: number;
  covered_by_own_livc: number;
  covered_by_intermunicipal_livc: number;
  livcs: number;
  intermunicipal_livcs: number;
  by_province: { province: string; municipalities: number; covered: number; without_livc: number }[];
  without: { nis: string; name: string }[];
  /** Per reason: municipalities counting it (once each); inherited = of those, how many only through a former municipality (decision 0033). */
  obstacles: { reason: ObstacleReason; municipalities: number; inherited: number }[];
  needs_decision: { nis: string; name: string }[];
}

/** A report date the register cannot answer; the message says why in plain words. */
export class ReportDateError extends Error {}

export function checkReportDate(date: string): string {
  if (!isIsoDate(date)) throw new ReportDateError(`"${date}" is not a date: write it as YYYY-MM-DD, for example 2020-03-10.`);
  if (date < CALENDAR_START) {
    throw new ReportDateError(`The LIVC register starts on ${CALENDAR_START} (the 2019 municipalities): there is no coverage report for ${date}.`);
  }
  return date;
}

/**
 * The report as the API and the CLI give it: `after_today` (and a notice) when the date lies after today.
 * Nothing is projected: the register as recorded today answers, with the planned starts and ends of
 * memberships already in it; what is registered later is not (decision 0052).
 */
export function coverageAnswer(report: CoverageReport, today: string = todayInBrussels()): CoverageReport & { after_today: boolean; notice?: string } {
  if (report.date <= today) return extend(report, { after_today: false });
  return extend(report, {
    after_today: true,
    notice: `The date ${report.date} lies after today (${today}): these are the figures of the LIVC register as recorded today, with the planned starts and ends of memberships; LIVCs, memberships or obstacles registered later are not in them.`,
  });
}

export function reportFromCoverage(timeline: RegisterTimeline, c: CoverageOn): CoverageReport {
  const ms = c.municipalities;
  const covered = ms.filter((m) => m.state === "own" || m.state === "inter");
  const without = ms.filter((m) => m.state === "none" || m.state === "needs_decision");
  const provinces = new Map<string, { province: string; municipalities: number; covered: number; without_livc: number }>();
  for (const m of ms) {
    const p = provinces.get(m.province) ?? { province: m.province, municipalities: 0, covered: 0, without_livc: 0 };
    p.municipalities++;
    if (m.state === "own" || m.state === "inter") p.covered++;
    else p.without_livc++;
    provinces.set(m.province, p);
  }
  const reasonCounts = new Map<ObstacleReason, { municipalities: number; inherited: number }>();
  for (const m of without) {
    for (const o of timeline.reasonsOn(m.nis, c.date)) {
      const n = reasonCounts.get(o.reason) ?? { municipalities: 0, inherited: 0 };
      n.municipalities++;
      if (o.inherited) n.inherited++;
      reasonCounts.set(o.reason, n);
    }
  }
  return {
    date: c.date,
    set: c.set,
    municipalities: ms.length,
    covered: covered.length,
    without_livc: without.length,
    covered_by_own_livc: ms.filter((m) => m.state === "own").length,
    covered_by_intermunicipal_livc: ms.filter((m) => m.state === "inter").length,
    livcs: c.livcMembers.size,
    intermunicipal_livcs: [...c.livcMembers.values()].filter((members) => members.length > 1).length,
    by_province: [...provinces.values()].sort((a, b) => a.province.localeCompare(b.province, "nl")),
    without: without.map((m) => ({ nis: m.nis, name: m.name })),
    obstacles: OBSTACLE_REASONS.filter((r) => reasonCounts.has(r)).map((reason) => ({ reason, ...reasonCounts.get(reason)! })),
    needs_decision: ms.filter((m) => m.state === "needs_decision").map((m) => ({ nis: m.nis, name: m.name })),
  };
}

export async function coverageReport(db: Kysely<DB>, date: string): Promise<CoverageReport> {
  checkReportDate(date);
  const { revision, timeline } = await registerTimeline(db);
  // Same rule as the dashboard: a report per revision and date is computed once (issue 9).
  const key = `${revision}|${date}`;
  const cache = cacheOf(reportCaches, db);
  let report = cache.get(key);
  if (!report) {
    report = reportFromCoverage(timeline, timeline.coverageOn(date));
    if (cache.size >= 256) cache.delete(cache.keys().next().value!);
    cache.set(key, report);
  }
  return report;
}

// Per database (tests and tools open several in one process), then per revision and date.
const reportCaches = new WeakMap<Kysely<DB>, Map<string, CoverageReport>>();
function cacheOf<T>(caches: WeakMap<Kysely<DB>, Map<string, T>>, db: Kysely<DB>): Map<string, T> {
  let m = caches.get(db);
  if (!m) {
    m = new Map();
    caches.set(db, m);
  }
  return m;
}

export interface TrendPoint { date: string; municipalities: number; covered: number; without_livc: number; intermunicipal: number }

/** Coverage on the first day of every quarter from 2019 up to the date, and on the date itself. */
export function trendDates(until: string): string[] {
  const out: string[] = [];
  for (let y = 2019; y <= Number(until.slice(0, 4)); y++) {
    for (const m of ["01", "04", "07", "10"]) {
      const d = `${y}-${m}-01`;
      if (d <= until) out.push(d);
    }
  }
  if (out.at(-1) !== until) out.push(until);
  return out;
}

export function trendFrom(timeline: RegisterTimeline, until: string): TrendPoint[] {
  return trendDates(until).map((date) => {
    const c = timeline.coverageOn(date);
    const covered = c.municipalities.filter((m) => m.state === "own" || m.state === "inter").length;
    return {
      date,
      municipalities: c.municipalities.length,
      covered,
      without_livc: c.municipalities.length - covered,
      intermunicipal: c.municipalities.filter((m) => m.state === "inter").length,
    };
  });
}

export interface WithoutDetail {
  nis: string;
  name: string;
  province: string;
  needsDecision: boolean;
  /** formerly: recorded for a former municipality merged into this one (decision 0033). */
  reasons: { reason: ObstacleReason; recorded_on: string; note: string; formerly: { nis: string; name: string } | null }[];
}

/** Everything the dashboard shows for one date, from one timeline. */
export async function dashboardData(db: Kysely<DB>, date: string) {
  checkReportDate(date);
  const { revision, timeline } = await registerTimeline(db);
  // The figures only change with the register: keep the last dates asked per revision (issue 9:
  // the trend alone computes coverage on ~30 dates, 9 ms a request).
  const key = `${revision}|${date}`;
  const cache = cacheOf(dashboardCaches, db);
  let data = cache.get(key);
  if (!data) {
    data = computeDashboard(timeline, revision, date);
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    cache.set(key, data);
  }
  return data;
}

const dashboardCaches = new WeakMap<Kysely<DB>, Map<string, ReturnType<typeof computeDashboard>>>();

function computeDashboard(timeline: RegisterTimeline, revision: number, date: string) {
  const coverage = timeline.coverageOn(date);
  const report = reportFromCoverage(timeline, coverage);
  const withoutDetails: WithoutDetail[] = coverage.municipalities
    .filter((m) => m.state === "none" || m.state === "needs_decision")
    .map((m) => ({
      nis: m.nis,
      name: m.name,
      province: m.province,
      needsDecision: m.state === "needs_decision",
      reasons: timeline.obstaclesOn(m.nis, date).map((o) => ({ reason: o.reason, recorded_on: o.recorded_on, note: o.note, formerly: o.formerly })),
    }));
  const livcNames = new Map([...timeline.livcs.values()].map((l) => [l.id, l.name]));
  const municipalities = coverage.municipalities.map((m: MunicipalityCoverage) => extend(m, { livcName: m.livcId ? (livcNames.get(m.livcId) ?? null) : null }));
  return { revision, report, coverage, municipalities, withoutDetails, trend: trendFrom(timeline, date) };
}
