/** Checks shared by the forms and the CSV import: where a row counts, and overlaps between rows. */
import { CALENDAR_START, effectivePeriod, type MunicipalityVersion, overlaps, type Period, versionKey } from "./timeline";

export interface CandidateRow {
  /** Existing row id, or a label such as "line 7" for a row not stored yet. */
  ref: string;
  livcId: string;
  livcCode: string;
  livcName: string;
  nis: string;
  joined_on: string;
  left_on: string | null;
  line?: number;
}

export interface Overlap {
  nis: string;
  name: string;
  a: CandidateRow;
  b: CandidateRow;
}

export const periodText = (r: { joined_on: string; left_on: string | null }) => `${r.joined_on} to ${r.left_on ?? "open"}`;

/** The municipality does not exist on any day of the row's period (from 2019-01-01 on). */
export function existsInPeriod(row: { joined_on: string; left_on: string | null }, versions: readonly MunicipalityVersion[]): boolean {
  return effectivePeriod(row, versions) !== null;
}

/**
 * Every pair of rows that would put one municipality in two LIVCs (or twice in one) on the same day.
 * Compared on the effective periods: a row of a municipality dissolved on 2025-01-01 ends there.
 */
export function findOverlaps(rows: readonly CandidateRow[], versionsByNis: Map<string, MunicipalityVersion[]>): Overlap[] {
  const byVersion = new Map<string, { row: CandidateRow; p: Period }[]>();
  for (const row of rows) {
    const p = effectivePeriod(row, versionsByNis.get(row.nis) ?? []);
    if (!p) continue;
    const key = versionKey(p.version);
    const list = byVersion.get(key) ?? [];
    list.push({ row, p });
    byVersion.set(key, list);
  }
  const out: Overlap[] = [];
  for (const list of byVersion.values()) {
    list.sort((x, y) => x.p.from.localeCompare(y.p.from));
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        if (list[j].p.from >= (list[i].p.to ?? "9999-12-31")) break;
        if (overlaps(list[i].p, list[j].p)) {
          const nis = list[i].row.nis;
          const name = versionsByNis.get(nis)?.find((v) => v.validFrom <= list[i].p.from)?.name ?? nis;
          out.push({ nis, name, a: list[i].row, b: list[j].row });
        }
      }
    }
  }
  return out;
}

export function overlapText(o: Overlap): string {
  return (
    `municipality ${o.nis} (${o.name}) would be in LIVC ${o.a.livcCode} "${o.a.livcName}" (${periodText(o.a)}) ` +
    `and LIVC ${o.b.livcCode} "${o.b.livcName}" (${periodText(o.b)}) at the same time`
  );
}

export const before2019Note = (joined: string) => (joined < CALENDAR_START ? ` (counts from ${CALENDAR_START})` : "");
