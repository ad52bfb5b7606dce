/** The analysis as CSV (platform writer: BOM, ";" separator, formula guard). Counts 1-4 as "<5". */
import { toCsv } from "../../platform/csv";
import type { Analysis, GroupFigures } from "./analysis";
import { OBJECTIONS, shownText, suppress } from "./objections";

const share = (n: number, of: number) => (of === 0 || suppress(n).suppressed ? "" : Math.round((n / of) * 1000) / 10);

export function analysisCsv(a: Analysis): string {
  const rows: (string | number)[][] = [];
  const groups = (scope: string, list: GroupFigures[]) => {
    for (const g of list) {
      for (const o of OBJECTIONS) rows.push([scope, g.group, shownText(suppress(g.responses)), "objection", o, shownText(suppress(g.objections[o])), share(g.objections[o], g.responses)]);
    }
  };
  groups("all", [a.overall]);
  groups("sector", a.bySector);
  groups("province", a.byProvince);
  for (const s of a.scales) {
    for (const [i, n] of s.counts.entries()) rows.push(["scale", s.text_nl, shownText(suppress(s.answered)), "value", i + 1, shownText(suppress(n)), share(n, s.answered)]);
  }
  if (a.responses >= 5) {
    for (const f of a.freeText) for (const text of f.answers) rows.push(["free_text", f.text_nl, "", "answer", text, "", ""]);
  }
  return toCsv(["scope", "group", "responses", "measure", "item", "count", "share_percent"], rows);
}
