/**
 * Working days for the screening deadline: Monday to Friday. Public holidays are not counted
 * out (no holiday calendar is configured yet); the deadline length itself is configurable
 * (SCHAKEL_SCREENING_WORKING_DAYS).
 */
const day = (date: string) => new Date(`${date}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const isWeekend = (d: Date) => d.getUTCDay() === 0 || d.getUTCDay() === 6;

/** The date n working days after date (date itself not counted). */
export function addWorkingDays(date: string, n: number): string {
  const d = day(date);
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (!isWeekend(d)) left--;
  }
  return iso(d);
}

/** Working days after `from` up to and including `to` (0 when to <= from). */
export function workingDaysBetween(from: string, to: string): number {
  if (to <= from) return 0;
  const d = day(from);
  const end = day(to);
  let n = 0;
  while (d < end) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (!isWeekend(d)) n++;
  }
  return n;
}
