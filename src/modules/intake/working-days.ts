/**
 * Working days for the screening deadline (SCHAKEL_SCREENING_WORKING_DAYS, decision 0029):
 * Monday to Friday, minus Belgium's ten legal public holidays (law of 4 January 1974: 1 January,
 * Easter Monday, 1 May, Ascension Day, Whit Monday, 21 July, 15 August, 1 November, 11 November,
 * 25 December) and minus the municipality's own closing days (SCHAKEL_EXTRA_HOLIDAYS: "MM-DD" each
 * year, e.g. 11 July, 2 November, 26 December; "YYYY-MM-DD" that date only, e.g. a bridge day).
 * Easter is computed (Gregorian, anonymous/Meeus algorithm), not looked up. A holiday on a Saturday or Sunday is not a working day anyway: it is
 * counted once, never twice, and no day is given in lieu. Every caller passes the extra days of the
 * report: the installation-wide SCHAKEL_EXTRA_HOLIDAYS plus its LIVC's own closing days
 * (closing-days.ts extraDaysFor / extraDaysByLivc); the stored deadline (report.screening_due_on) is
 * always a working day, so "overdue" is a plain date comparison with today.
 */
const day = (date: string) => new Date(`${date}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const isWeekend = (d: Date) => d.getUTCDay() === 0 || d.getUTCDay() === 6;
const pad = (n: number) => String(n).padStart(2, "0");
/** Whether a "YYYY-MM-DD" text names a real calendar date. */
const realDate = (date: string) => {
  const d = day(date);
  return !Number.isNaN(d.getTime()) && iso(d) === date;
};

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus "Astronomical Algorithms"). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dayOfMonth = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${pad(month)}-${pad(dayOfMonth)}`;
}

const plusDays = (date: string, n: number) => {
  const d = day(date);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
};

const legalCache = new Map<number, readonly string[]>();

/** Belgium's ten legal public holidays of a year, as sorted distinct "YYYY-MM-DD" dates (nine when two coincide). */
export function belgianPublicHolidays(year: number): readonly string[] {
  const cached = legalCache.get(year);
  if (cached) return cached;
  const easter = easterSunday(year);
  const fixed = ["01-01", "05-01", "07-21", "08-15", "11-01", "11-11", "12-25"].map((md) => `${year}-${md}`);
  const moving = [plusDays(easter, 1), plusDays(easter, 39), plusDays(easter, 50)]; // Easter Monday, Ascension, Whit Monday
  const all = [...new Set([...fixed, ...moving])].sort(); // 2008: Ascension Day was 1 May
  legalCache.set(year, all);
  return all;
}

/**
 * The days a year is closed: the legal holidays, the configured "MM-DD" days and the configured
 * "YYYY-MM-DD" days of that year (no duplicates, sorted).
 */
export function closedDaysOf(year: number, extra: readonly string[]): string[] {
  const days = new Set(belgianPublicHolidays(year));
  for (const item of extra) {
    if (item.length === 10) {
      if (item.startsWith(`${year}-`)) days.add(item); // a one-off date counts in its own year only
      continue;
    }
    const date = `${year}-${item}`;
    if (realDate(date)) days.add(date); // "02-29" only in leap years
  }
  return [...days].sort();
}

/** Whether a date is a Monday-Friday that is neither a legal holiday nor a configured closing day. */
export function isWorkingDay(date: string, extra: readonly string[]): boolean {
  if (isWeekend(day(date))) return false;
  if (extra.includes(date) || extra.includes(date.slice(5))) return false; // a one-off date or a yearly day
  return !belgianPublicHolidays(Number(date.slice(0, 4))).includes(date);
}

/** The date n working days after date (date itself not counted); always a working day when n >= 1. */
export function addWorkingDays(date: string, n: number, extra: readonly string[]): string {
  let d = date;
  let left = n;
  while (left > 0) {
    d = plusDays(d, 1);
    if (isWorkingDay(d, extra)) left--;
  }
  return d;
}

/** Monday-Friday days after `from` up to and including `to`, counted arithmetically. */
function weekdaysBetween(from: string, to: string): number {
  const days = Math.round((day(to).getTime() - day(from).getTime()) / 86_400_000);
  const full = Math.floor(days / 7);
  let n = full * 5;
  const start = day(from).getUTCDay();
  for (let i = 1; i <= days % 7; i++) {
    const dow = (start + i) % 7;
    if (dow !== 0 && dow !== 6) n++;
  }
  return n;
}

/**
 * Working days after `from` up to and including `to` (0 when to <= from). Counted per year, not
 * per day, so a report years old costs a few holiday lists, not thousands of steps.
 */
export function workingDaysBetween(from: string, to: string, extra: readonly string[]): number {
  if (to <= from) return 0;
  let n = weekdaysBetween(from, to);
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const closed of closedDaysOf(year, extra)) {
      if (closed > from && closed <= to && !isWeekend(day(closed))) n--;
    }
  }
  return n;
}
