/**
 * Case figures on the regional dashboard: cases opened and closed, consultations held and partner
 * sectors present, per LIVC per quarter, for the last four whole quarters that ended before the
 * chosen date (never the running quarter).
 * Read only through cases/service.ts (quarterlyFigures), which already shows counts 1 to 4 as "<5".
 *
 * The total for Flanders is built from those shown figures, never from raw counts: a suppressed
 * LIVC counts as "somewhere from 1 to 4", so the total becomes a range. An exact total beside
 * exact figures of the other LIVCs would give away the suppressed one by subtraction.
 */
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { type QuarterFigures, quarterlyFigures, quarterOf } from "../cases/service";
import type { Sector } from "../identity/sectors";
import { suppress } from "../partners/service";

export type Shown = QuarterFigures["casesOpened"];

/** A total for Flanders: a count under the small-count rule, or a range when some LIVC shows "<5". */
export type Total = { kind: "count"; value: Shown } | { kind: "range"; low: number; high: number };

export function totalOf(values: Shown[]): Total {
  let known = 0;
  let hidden = 0;
  for (const v of values) {
    if (v === "<5") hidden++;
    else known += v;
  }
  if (hidden === 0) return { kind: "count", value: suppress(known) };
  // Every known figure is 0 or at least 5, so a high under 5 means one hidden LIVC and nothing else.
  const low = known + hidden;
  const high = known + 4 * hidden;
  return high < 5 ? { kind: "count", value: "<5" } : { kind: "range", low, high };
}

/** A total in words, as the page and the PDF show it: "<5", a number, "7 tot 10" or "hoogstens 8". */
export function totalText(v: Total, t: (key: "mon.cases.range" | "mon.cases.at_most", args: Record<string, string>) => string, num: (n: number) => string): string {
  if (v.kind === "count") return v.value === "<5" ? "<5" : num(v.value);
  return v.low >= 5 ? t("mon.cases.range", { low: num(v.low), high: num(v.high) }) : t("mon.cases.at_most", { high: num(v.high) });
}

/** The same total for the CSV (language-neutral like its other columns; "7-10" would become a date in a spreadsheet). */
export function totalCsv(v: Total): string | number {
  if (v.kind === "count") return v.value;
  return v.low >= 5 ? `${v.low} to ${v.high}` : `at most ${v.high}`;
}

export interface Quarter {
  /** "2026-Q1" */
  key: string;
  year: number;
  q: number;
  from: string;
  to: string;
}

/**
 * The four whole calendar quarters that ended before the chosen date, newest first. The quarter
 * of the date itself is left out, and so is any quarter not yet ended today (a date in the future
 * shows the same as today): a table counted up to a chosen day would let two dates a day apart give
 * a count of 1 to 4 away by subtraction (decision 0020). Every date in one quarter gives the same quarters.
 */
export function endedQuarters(date: string, today: string, n = 4): Quarter[] {
  const reference = date < today ? date : today;
  const out: Quarter[] = [];
  let year = Number(reference.slice(0, 4));
  let q = Number(quarterOf(reference).slice(-1));
  for (let i = 0; i < n; i++) {
    q--;
    if (q === 0) {
      q = 4;
      year--;
    }
    const startMonth = (q - 1) * 3 + 1;
    const endMonth = startMonth + 2;
    const lastDay = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
    const pad = (x: number) => String(x).padStart(2, "0");
    out.push({ key: `${year}-Q${q}`, year, q, from: `${year}-${pad(startMonth)}-01`, to: `${year}-${pad(endMonth)}-${pad(lastDay)}` });
  }
  return out;
}

export interface LivcQuarterRow {
  livcCode: string;
  livcName: string;
  casesOpened: Shown;
  casesClosed: Shown;
  consultationsHeld: Shown;
  sectorsPresent: Sector[];
}

export interface QuarterTable {
  quarter: Quarter;
  flanders: { casesOpened: Total; casesClosed: Total; consultationsHeld: Total; sectorsPresent: Sector[] };
  /** LIVCs with at least one case opened or closed or a consultation held in the quarter. */
  livcs: LivcQuarterRow[];
}

export function quarterTables(quarters: Quarter[], figures: QuarterFigures[]): QuarterTable[] {
  return quarters.map((quarter) => {
    const rows = figures.filter((f) => f.quarter === quarter.key);
    return {
      quarter,
      flanders: {
        casesOpened: totalOf(rows.map((r) => r.casesOpened)),
        casesClosed: totalOf(rows.map((r) => r.casesClosed)),
        consultationsHeld: totalOf(rows.map((r) => r.consultationsHeld)),
        sectorsPresent: [...new Set(rows.flatMap((r) => r.sectorsPresent))].sort(),
      },
      livcs: rows
        .map((r) => ({ livcCode: r.livcCode, livcName: r.livcName, casesOpened: r.casesOpened, casesClosed: r.casesClosed, consultationsHeld: r.consultationsHeld, sectorsPresent: r.sectorsPresent }))
        .sort((a, b) => a.livcName.localeCompare(b.livcName, "nl") || a.livcCode.localeCompare(b.livcCode)),
    };
  });
}

/**
 * The four quarter tables for the dashboard on a date (checked by the caller): whole quarters that
 * have ended only (endedQuarters). quarterlyFigures reads every held consultation of the period
 * (~120-250 ms at 50 LIVCs and 20,000 cases), so the tables are kept for a minute per database and
 * newest quarter (every date of a quarter shares them): the dashboard may lag a late entry by that.
 */
export function caseFiguresOn(ctx: AppContext, date: string, now = Date.now(), today = todayInBrussels(new Date(now))): Promise<QuarterTable[]> {
  let cache = caches.get(ctx.database.db);
  if (!cache) {
    cache = new Map();
    caches.set(ctx.database.db, cache);
  }
  const quarters = endedQuarters(date, today);
  const key = quarters[0].key;
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.tables;
  const tables = quarterlyFigures(ctx, { from: quarters.at(-1)!.from, to: quarters[0].to }).then((figures) => quarterTables(quarters, figures));
  tables.catch(() => cache.delete(key));
  if (cache.size >= 64) cache.delete(cache.keys().next().value!);
  cache.set(key, { at: now, tables });
  return tables;
}

const CACHE_MS = 60_000;
const caches = new WeakMap<object, Map<string, { at: number; tables: Promise<QuarterTable[]> }>>();
