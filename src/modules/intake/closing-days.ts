import { type AuditWho, audit } from "../../platform/audit";
import { parseClosingDays } from "../../platform/config";
import type { AppContext } from "../../platform/context";
import type { Actor } from "../../platform/policy/actor";
import { listLivcs, livcById } from "../registry/service";
import * as store from "./closing-days-store";
import { closingDayLivcIds, mayManageClosingDays } from "./policy";
import { belgianPublicHolidays, easterSunday } from "./working-days";

/**
 * Closing days per LIVC (decision 0029, amended): on top of Belgium's legal holidays and the
 * installation-wide SCHAKEL_EXTRA_HOLIDAYS, each LIVC lists its own days ("MM-DD" every year,
 * "YYYY-MM-DD" that date only, with a short description). The screening deadline of a report and
 * its age in the queue count the days of the report's LIVC; a report without an LIVC (regional
 * queue) counts the installation-wide days only. Deadlines are stored at submission, so a change
 * applies to reports submitted from then on. Chair and coordinator of the LIVC (memberships valid
 * today) and administrators manage them; every add and remove commits with its audit entry.
 */

export type { ClosingDayRow } from "./closing-days-store";
export const DESCRIPTION_MAX = 80;

export type ClosingDayError =
  | { field: "day"; code: "required" | "format" | "duplicate" | "installation" | "legal" | "weekend" }
  | { field: "description"; code: "too_long" };

const FIXED_LEGAL = ["01-01", "05-01", "07-21", "08-15", "11-01", "11-11", "12-25"];
const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

/**
 * Checks one item against the rules of SCHAKEL_EXTRA_HOLIDAYS (parseClosingDays: a real date,
 * "02-29" allowed as a yearly day, years 2019-2100) and against what already closes that day: the
 * LIVC's own list (also a one-off date on one of its yearly days), the installation-wide list and the
 * legal holidays. A one-off date on a Saturday or Sunday is refused: it would change nothing.
 */
export function checkClosingDay(day: string, own: readonly string[], installation: readonly string[]): ClosingDayError | null {
  if (day === "") return { field: "day", code: "required" };
  const parsed = /^[0-9-]{5,10}$/.test(day) ? parseClosingDays(day) : null;
  if (!parsed || "bad" in parsed || parsed.days.length !== 1) return { field: "day", code: "format" };
  const yearly = day.length === 5 ? day : day.slice(5);
  const oneOff = day.length === 10;
  if (own.includes(day) || (oneOff && own.includes(yearly))) return { field: "day", code: "duplicate" };
  if (installation.includes(day) || (oneOff && installation.includes(yearly))) return { field: "day", code: "installation" };
  if (oneOff ? belgianPublicHolidays(Number(day.slice(0, 4))).includes(day) : FIXED_LEGAL.includes(day)) return { field: "day", code: "legal" };
  if (oneOff && isWeekend(day)) return { field: "day", code: "weekend" };
  return null;
}

export type LegalHolidayKey = "new_year" | "easter_monday" | "labour_day" | "ascension" | "whit_monday" | "national_day" | "assumption" | "all_saints" | "armistice" | "christmas";

/** The ten legal holidays of a year with their names (keys), by date. */
export function legalHolidaysNamed(year: number): { date: string; key: LegalHolidayKey }[] {
  const plus = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const easter = easterSunday(year);
  const list: { date: string; key: LegalHolidayKey }[] = [
    { date: `${year}-01-01`, key: "new_year" },
    { date: plus(easter, 1), key: "easter_monday" },
    { date: `${year}-05-01`, key: "labour_day" },
    { date: plus(easter, 39), key: "ascension" },
    { date: plus(easter, 50), key: "whit_monday" },
    { date: `${year}-07-21`, key: "national_day" },
    { date: `${year}-08-15`, key: "assumption" },
    { date: `${year}-11-01`, key: "all_saints" },
    { date: `${year}-11-11`, key: "armistice" },
    { date: `${year}-12-25`, key: "christmas" },
  ];
  return list.sort((a, b) => a.date.localeCompare(b.date));
}

// ---------------------------------------------------------------------------------------------
// What the deadline and the queue count.

/** The installation-wide days plus the LIVC's own (null: a report without an LIVC, installation only). */
export async function extraDaysFor(ctx: AppContext, livcId: string | null): Promise<string[]> {
  if (!livcId) return ctx.config.SCHAKEL_EXTRA_HOLIDAYS;
  return (await extraDaysByLivc(ctx, [livcId])).get(livcId)!;
}

/** The same for several LIVCs in one query (a queue page): installation-wide days plus each LIVC's own. */
export async function extraDaysByLivc(ctx: AppContext, livcIds: readonly string[]): Promise<Map<string, string[]>> {
  const installation = ctx.config.SCHAKEL_EXTRA_HOLIDAYS;
  const own = await store.closingDaysOfLivcs(ctx.database.db, [...new Set(livcIds)]);
  return new Map([...own].map(([id, days]) => [id, days.length === 0 ? installation : [...new Set([...installation, ...days])].sort()]));
}

// ---------------------------------------------------------------------------------------------
// The page: list, add, remove.

type Who = AuditWho & { actor: Actor };
type Denied = { kind: "not_found" } | { kind: "forbidden" };

/** The LIVC if it exists and the person may manage its days; a refusal is audited. */
async function access(ctx: AppContext, who: Who, livcId: string): Promise<{ kind: "ok"; livc: { id: string; name: string } } | Denied> {
  const livc = await livcById(ctx.database.db, livcId);
  if (!livc) return { kind: "not_found" };
  if (!mayManageClosingDays(who.actor, livcId)) {
    await audit.recordFor(ctx, who, { action: "intake.closing_days.manage", resourceType: "livc", resourceId: livcId, livcId, outcome: "denied" });
    return { kind: "forbidden" };
  }
  return { kind: "ok", livc: { id: livc.id, name: livc.name } };
}

/** The LIVCs whose days this person manages (administrators: every LIVC), by name. */
export async function closingDayLivcs(ctx: AppContext, actor: Actor): Promise<{ id: string; name: string }[]> {
  const all = await listLivcs(ctx.database.db);
  const mine = new Set(closingDayLivcIds(actor));
  return all
    .filter((l) => actor.isAdmin || mine.has(l.id))
    .map((l) => ({ id: l.id, name: l.name }))
    .sort((a, b) => a.name.localeCompare(b.name, "nl") || a.id.localeCompare(b.id));
}

export interface ClosingDaysView {
  kind: "ok";
  livc: { id: string; name: string };
  rows: store.ClosingDayRow[];
  installation: readonly string[];
  legal: { year: number; days: { date: string; key: LegalHolidayKey }[] }[];
}

/** Everything that counts for this LIVC: its own days, the installation-wide days, the legal holidays of this year and the next. */
export async function closingDaysView(ctx: AppContext, who: Who, livcId: string, today: string): Promise<ClosingDaysView | Denied> {
  const a = await access(ctx, who, livcId);
  if (a.kind !== "ok") return a;
  const year = Number(today.slice(0, 4));
  return {
    kind: "ok",
    livc: a.livc,
    rows: await store.closingDaysOfLivc(ctx.database.db, livcId),
    installation: ctx.config.SCHAKEL_EXTRA_HOLIDAYS,
    legal: [year, year + 1].map((y) => ({ year: y, days: legalHolidaysNamed(y) })),
  };
}

export type AddResult = { kind: "ok"; id: string } | { kind: "invalid"; errors: ClosingDayError[] } | Denied;

/** Adds a day to the LIVC's list: validated (checkClosingDay, description at most 80 characters), then stored with its audit entry. */
export async function addClosingDay(ctx: AppContext, who: Who, livcId: string, input: { day: string; description: string }): Promise<AddResult> {
  const a = await access(ctx, who, livcId);
  if (a.kind !== "ok") return a;
  const day = input.day.trim();
  const description = input.description.replace(/\s+/g, " ").trim();
  return ctx.database.db.transaction().execute(async (trx): Promise<AddResult> => {
    const own = (await store.closingDaysOfLivc(trx, livcId)).map((r) => r.day);
    const errors: ClosingDayError[] = [];
    const dayError = checkClosingDay(day, own, ctx.config.SCHAKEL_EXTRA_HOLIDAYS);
    if (dayError) errors.push(dayError);
    if ([...description].length > DESCRIPTION_MAX) errors.push({ field: "description", code: "too_long" });
    if (errors.length > 0) return { kind: "invalid", errors };
    const id = await store.insertClosingDay(trx, { livc_id: livcId, day, description, created_by: who.actor.userId });
    await audit.recordFor(ctx, who, { action: "intake.closing_day.add", resourceType: "livc_closing_day", resourceId: id, livcId, outcome: "success" }, { db: trx });
    return { kind: "ok", id };
  });
}

/** Removes one day of the LIVC's list, with its audit entry; not_found when the LIVC has no such day. */
export async function removeClosingDay(ctx: AppContext, who: Who, livcId: string, id: string): Promise<{ kind: "ok" } | Denied> {
  const a = await access(ctx, who, livcId);
  if (a.kind !== "ok") return a;
  return ctx.database.db.transaction().execute(async (trx) => {
    if (!(await store.deleteClosingDay(trx, livcId, id))) return { kind: "not_found" as const };
    await audit.recordFor(ctx, who, { action: "intake.closing_day.remove", resourceType: "livc_closing_day", resourceId: id, livcId, outcome: "success" }, { db: trx });
    return { kind: "ok" as const };
  });
}
