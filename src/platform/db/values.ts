/** Dialect differences normalised in one place: counts, booleans, dates, ids. */
import { randomBytesPooled } from "../crypto/random";

/**
 * A version-7 UUID (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Rows made one after the
 * other get ids next to each other, so a new row's primary key and the indexes that hold ids land on the
 * same few B-tree pages instead of a random page each (docs/decisions/0071-time-ordered-ids.md).
 */
export function uuidV7(ms = Date.now()): string {
  // 10 random bytes (the pool: drawn 4 KiB at a time, as node's randomUUID does).
  const r = randomBytesPooled(10).toString("hex");
  const t = ms.toString(16).padStart(12, "0");
  const variant = ((Number.parseInt(r[3], 16) & 0x3) | 0x8).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7, 19)}`;
}

export const newId = (): string => uuidV7();

/**
 * Eight characters that tell ids apart where a short form is shown (a fallback label, a file name): the
 * END of the id, which is random in every UUID version. The start of a version-7 id is its creation time,
 * the same for ids made within a minute.
 */
export const shortId = (id: string): string => id.slice(-8);

export function toCount(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") return Number.parseInt(value, 10);
  return 0;
}

export const toBool = (value: unknown): boolean => value === 1 || value === true || value === "1";
export const fromBool = (value: boolean): number => (value ? 1 : 0);

/** Current instant as ISO-8601 UTC text, the one timestamp format stored. */
export const nowIso = (): string => new Date().toISOString();

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** Today's date in Belgium as YYYY-MM-DD. */
const brusselsDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Brussels" });
// "Today" is asked several times per request: the answer is kept for the rest of the current second.
let todayCache = { second: -1, day: "" };

/**
 * The day in Brussels at `now` (default: this moment). The last second asked is kept, whether `now` was given
 * or not: formatting with a time zone costs ~1 us here, and the dashboard asks on every request (issue 9).
 */
export function todayInBrussels(now?: Date): string {
  const second = Math.floor((now ? now.getTime() : Date.now()) / 1000);
  if (todayCache.second !== second) todayCache = { second, day: brusselsDay.format(new Date(second * 1000)) };
  return todayCache.day;
}

const brusselsClock = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Brussels", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" });

/**
 * The instant (ISO, UTC) at which a Belgian calendar day begins: 00:00 in Brussels, which is 23:00 or
 * 22:00 UTC the day before (winter / summer time). Timestamps are stored in UTC; a period a person picks
 * as dates ("from 30 November to 30 November") means Belgian days, also between midnight and 01:00/02:00.
 */
export function brusselsDayStart(date: string): string {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  for (const hours of [1, 2]) {
    const t = new Date(utcMidnight - hours * 3_600_000);
    const p = Object.fromEntries(brusselsClock.formatToParts(t).map((x) => [x.type, x.value]));
    if (`${p.year}-${p.month}-${p.day}` === date && p.hour === "00") return t.toISOString();
  }
  return new Date(utcMidnight - 3_600_000).toISOString();
}

/**
 * A birth date `years` before `today`'s year, on `monthDay` ("MM-DD", not 02-29): for demo people and test subjects
 * whose age must stay what their story says whenever they are made (a pupil stays a minor; decision 0092).
 */
export function bornYearsBefore(today: string, years: number, monthDay: string): string {
  return `${String(Number(today.slice(0, 4)) - years).padStart(4, "0")}-${monthDay}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
