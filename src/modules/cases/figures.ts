import type { AppContext } from "../../platform/context";
import { sql } from "kysely";
import { isIsoDate, toCount } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import { attendedSectorsByMonth, heldConsultationsByMonth, suppress } from "../partners/service";
import { listLivcs } from "../registry/service";

/**
 * Figures for the region, per LIVC per quarter: cases opened and closed, consultations held and
 * the partner sectors present. Aggregates only, counts 1 to 4 shown as "<5" (small municipalities
 * must not be re-identifiable), and only for whole calendar quarters (checkFiguresPeriod; the callers
 * also leave out the running quarter). The monitoring module calls quarterlyFigures() through
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

/** The first and the last day of the calendar quarter of a date (YYYY-MM-DD). */
export function quarterBounds(date: string): { from: string; to: string } {
  const year = Number(date.slice(0, 4));
  const startMonth = Math.floor((Number(date.slice(5, 7)) - 1) / 3) * 3 + 1;
  const lastDay = new Date(Date.UTC(year, startMonth + 2, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, "0");
  return { from: `${year}-${pad(startMonth)}-01`, to: `${year}-${pad(startMonth + 2)}-${pad(lastDay)}` };
}

/**
 * Regional figures exist only for whole calendar quarters that have ended (decision 0020): a window
 * ending on any day would let two requests a day apart give a count of 1 to 4 away by subtraction.
 * The last day of the newest quarter that ended before today (the quarter before today's).
 */
export function lastEndedQuarterEnd(today: string): string {
  const { from } = quarterBounds(today);
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

/** A period refused for the regional figures; parameter names the bound that is wrong. */
export class FiguresPeriodError extends Error {
  constructor(
    readonly parameter: "from" | "to",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one rule for a figures period: from is the first day of a quarter, to the last day of a
 * quarter not before from, and (when today is given) that quarter has ended before today.
 */
export function checkFiguresPeriod(period: { from: string; to: string }, today?: string): void {
  const { from, to } = period;
  if (!isIsoDate(from) || quarterBounds(from).from !== from) throw new FiguresPeriodError("from", "from must be the first day of a calendar quarter (YYYY-01-01, -04-01, -07-01 or -10-01)");
  if (!isIsoDate(to) || quarterBounds(to).to !== to) throw new FiguresPeriodError("to", "to must be the last day of a calendar quarter (YYYY-03-31, -06-30, -09-30 or -12-31)");
  if (to < from) throw new FiguresPeriodError("to", "to must not be before from");
  if (today !== undefined && to > lastEndedQuarterEnd(today)) {
    throw new FiguresPeriodError("to", `to must be the last day of a quarter that has ended (at the latest ${lastEndedQuarterEnd(today)}): the running quarter has no figures yet`);
  }
}

/**
 * A constant number of queries whatever the number of LIVCs and consultations: cases opened and
 * closed per LIVC and month, held consultations per LIVC and month, and the distinct sectors attending
 * per LIVC and month (partners service, one joined query); months are folded into quarters here.
 */
export async function quarterlyFigures(ctx: AppContext, period: { from: string; to: string }): Promise<QuarterFigures[]> {
  // Whole quarters only, whoever calls: a narrower window would give small counts away by subtraction.
  checkFiguresPeriod(period);
  const db = ctx.database.db;
  const { from, to } = period;
  // Dates and LIVC only: no label, no person is read. A case without opened_on counts as opened on
  // the date of opened_at, and (as before) only when it was opened or closed within the period.
  const openedOn = sql<string>`coalesce(opened_on, substr(opened_at, 1, 10))`;
  const openedMonth = sql<string>`substr(coalesce(opened_on, substr(opened_at, 1, 10)), 1, 7)`;
  const closedMonth = sql<string>`substr(closed_on, 1, 7)`;
  const [opened, closed, livcs, held, sectors] = await Promise.all([
    db
      .selectFrom("case_file")
      .select((eb) => ["livc_id", openedMonth.as("month"), eb.fn.countAll().as("n")])
      .where(openedOn, ">=", from)
      .where(openedOn, "<=", to)
      .where((eb) =>
        eb.or([
          eb.and([eb("opened_on", ">=", from), eb("opened_on", "<=", to)]),
          eb.and([eb("closed_on", ">=", from), eb("closed_on", "<=", to)]),
        ]),
      )
      .groupBy(["livc_id", openedMonth])
      .execute(),
    db
      .selectFrom("case_file")
      .select((eb) => ["livc_id", closedMonth.as("month"), eb.fn.countAll().as("n")])
      .where("closed_on", ">=", from)
      .where("closed_on", "<=", to)
      .groupBy(["livc_id", closedMonth])
      .execute(),
    listLivcs(db),
    heldConsultationsByMonth(ctx, from, to),
    attendedSectorsByMonth(ctx, from, to),
  ]);
  type Acc = { opened: number; closed: number; held: number; sectors: Set<Sector> };
  const acc = new Map<string, Acc>();
  const at = (livcId: string, month: string) => {
    const k = `${livcId}|${quarterOf(`${month}-01`)}`;
    let a = acc.get(k);
    if (!a) {
      a = { opened: 0, closed: 0, held: 0, sectors: new Set() };
      acc.set(k, a);
    }
    return a;
  };
  for (const r of opened) at(r.livc_id, r.month).opened += toCount(r.n);
  for (const r of closed) at(r.livc_id, r.month).closed += toCount(r.n);
  const byId = new Map(livcs.map((l) => [l.id, l]));
  // Consultations count for LIVCs in the register only (as the per-LIVC reads did).
  for (const r of held) if (byId.has(r.livcId)) at(r.livcId, r.month).held += r.held;
  for (const r of sectors) if (byId.has(r.livcId)) at(r.livcId, r.month).sectors.add(r.sector);
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
