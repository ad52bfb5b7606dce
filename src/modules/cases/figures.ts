import type { AppContext } from "../../platform/context";
import { isIsoDate } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import { attendanceFor, consultationsOf, suppress } from "../partners/service";
import { listLivcs } from "../registry/service";

/**
 * Figures for the region, per LIVC per quarter: cases opened and closed, consultations held and
 * the partner sectors present. Aggregates only, counts 1 to 4 shown as "<5" (small municipalities
 * must not be re-identifiable). The monitoring module calls quarterlyFigures() through
 * cases/service.ts; nothing here returns a case, a label or a person.
 */
export type Shown = ReturnType<typeof suppress>;

export interface QuarterFigures {
  livcId: string;
  livcCode: string;
  livcName: string;
  quarter: string;
  casesOpened: Shown;
  casesClosed: Shown;
  consultationsHeld: Shown;
  /** Sectors of organisations present at least once in a consultation held that quarter. */
  sectorsPresent: Sector[];
}

export const quarterOf = (date: string): string => `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

export async function quarterlyFigures(ctx: AppContext, period: { from: string; to: string }): Promise<QuarterFigures[]> {
  if (!isIsoDate(period.from) || !isIsoDate(period.to)) throw new Error("from and to must be YYYY-MM-DD");
  const db = ctx.database.db;
  // Dates and LIVC only: no label, no person is read.
  const rows = await db
    .selectFrom("case_file")
    .select(["livc_id", "opened_on", "opened_at", "closed_on"])
    .where((eb) =>
      eb.or([
        eb.and([eb("opened_on", ">=", period.from), eb("opened_on", "<=", period.to)]),
        eb.and([eb("closed_on", ">=", period.from), eb("closed_on", "<=", period.to)]),
      ]),
    )
    .execute();
  type Acc = { opened: number; closed: number; held: number; sectors: Set<Sector> };
  const acc = new Map<string, Acc>();
  const at = (livcId: string, q: string) => {
    const k = `${livcId}|${q}`;
    let a = acc.get(k);
    if (!a) {
      a = { opened: 0, closed: 0, held: 0, sectors: new Set() };
      acc.set(k, a);
    }
    return a;
  };
  const inPeriod = (d: string | null) => d !== null && d >= period.from && d <= period.to;
  for (const r of rows) {
    const opened = r.opened_on ?? r.opened_at.slice(0, 10);
    if (inPeriod(opened)) at(r.livc_id, quarterOf(opened)).opened++;
    if (inPeriod(r.closed_on)) at(r.livc_id, quarterOf(r.closed_on!)).closed++;
  }
  const livcs = await listLivcs(db);
  for (const l of livcs) {
    for (const c of await consultationsOf(ctx, l.id, period.from, period.to)) {
      if (c.status !== "held") continue;
      const a = at(l.id, quarterOf(c.held_on));
      a.held++;
      for (const line of await attendanceFor(ctx, c.id)) if (line.attended) a.sectors.add(line.sector);
    }
  }
  const byId = new Map(livcs.map((l) => [l.id, l]));
  return [...acc.entries()]
    .map(([k, a]) => {
      const [livcId, quarter] = k.split("|");
      const l = byId.get(livcId);
      return {
        livcId,
        livcCode: l?.code ?? "",
        livcName: l?.name ?? "",
        quarter,
        casesOpened: suppress(a.opened),
        casesClosed: suppress(a.closed),
        consultationsHeld: suppress(a.held),
        sectorsPresent: [...a.sectors].sort(),
      };
    })
    .sort((x, y) => x.livcCode.localeCompare(y.livcCode) || x.quarter.localeCompare(y.quarter));
}
