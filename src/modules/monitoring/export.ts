/** The coverage report as CSV (Excel nl-BE, formula-safe) and as a PDF answering the parliamentary questions. */
import { PDF_FONT, renderPdf } from "../../platform/pdf";
import { toCsv } from "../../platform/csv";
import { formatDate, formatNumber, type Locale, translator } from "../../platform/i18n";
import { type Sector, sectorLabel } from "../identity/sectors";
import { todayInBrussels } from "../../platform/db/values";
import { MAP_COLOURS } from "./map";
import { type QuarterTable, totalCsv, totalText } from "./case-figures";
import type { dashboardData } from "./service";

type Dashboard = Awaited<ReturnType<typeof dashboardData>>;

/** The municipality columns, then those of the case-figure rows (decision 0052: the tables the page shows). */
export const CSV_HEADER = [
  "date",
  "set",
  "nis",
  "municipality",
  "province",
  "police_zone",
  "coverage",
  "livc",
  "obstacles",
  "level",
  "quarter",
  "livc_code",
  "cases_opened",
  "cases_closed",
  "consultations_held",
  "sectors_present",
] as const;

/**
 * One row per municipality valid on the date (level "municipality"; obstacles only for those without an
 * LIVC), then the quarterly case figures the page shows: per quarter a row for Flanders (level
 * "flanders_quarter", a range where an LIVC shows "<5") and one per LIVC (level "livc_quarter", 1-4 as
 * "<5"). The case figures come from the same tables as the page (caseFiguresOn), never recounted here.
 */
export function coverageCsv(d: Dashboard, tables: QuarterTable[]): string {
  const reasons = new Map(d.withoutDetails.map((w) => [w.nis, w.reasons]));
  const none = ["", "", "", "", "", ""];
  const rows: unknown[][] = d.municipalities.map((m) => [
    d.report.date,
    d.report.set,
    m.nis,
    m.name,
    m.province,
    m.policeZone ?? "",
    m.state === "inter" ? "intermunicipal" : m.state,
    m.livcName ?? "",
    (reasons.get(m.nis) ?? [])
      .map((r) => `${r.reason} (${r.recorded_on}${r.formerly ? `, recorded for former municipality ${r.formerly.name} ${r.formerly.nis}` : ""})${r.note ? `: ${r.note}` : ""}`)
      .join(" | "),
    "municipality",
    ...none,
  ]);
  const place = ["", "", "", "", ""];
  for (const { quarter, flanders, livcs } of tables) {
    const f = flanders;
    rows.push([d.report.date, d.report.set, ...place, "", "", "flanders_quarter", quarter.key, "", totalCsv(f.casesOpened), totalCsv(f.casesClosed), totalCsv(f.consultationsHeld), f.sectorsPresent.join(" | ")]);
    for (const l of livcs) {
      rows.push([d.report.date, d.report.set, ...place, l.livcName, "", "livc_quarter", quarter.key, l.livcCode, l.casesOpened, l.casesClosed, l.consultationsHeld, l.sectorsPresent.join(" | ")]);
    }
  }
  return toCsv(CSV_HEADER, rows);
}

export async function coveragePdf(d: Dashboard, locale: Locale, mapSvg: string | undefined, tables: QuarterTable[], today = todayInBrussels()): Promise<Buffer> {
  const t = translator(locale);
  const r = d.report;
  const date = formatDate(locale, r.date);
  const nums = { count: r.municipalities, without: r.without_livc, covered: r.covered, date };
  const head = (cells: string[]) => cells.map((text) => ({ text, bold: true }));
  const content: unknown[] = [
    { text: t("mon.pdf.title", { date }), style: "title" },
    { text: t("mon.pdf.subtitle", { set: r.set, count: r.municipalities }), margin: [0, 0, 0, 12] },
    ...(r.date > today ? [{ text: t("mon.future", { date }), bold: true, margin: [0, 0, 0, 12] }] : []),
    { text: t("mon.pdf.q1"), style: "h2" },
    { text: t("mon.pdf.q1.answer", nums), margin: [0, 0, 0, 6] },
  ];
  if (d.withoutDetails.length > 0) {
    content.push({
      table: {
        headerRows: 1,
        widths: [50, 110, 80, "*"],
        body: [
          head([t("mon.col.nis"), t("mon.col.name"), t("mon.col.province"), t("mon.col.obstacles")]),
          ...d.withoutDetails.map((w) => [
            w.nis,
            w.name,
            w.province,
            [
              w.needsDecision ? t("mon.state.needs_decision") : "",
              ...w.reasons.map(
                (o) =>
                  `${t(`mon.reason.${o.reason}`)}${o.note ? ` (${o.note})` : ""}${o.formerly ? ` [${t("mon.obstacles.formerly", { name: o.formerly.name, nis: o.formerly.nis, date: formatDate(locale, o.recorded_on) })}]` : ""}`,
              ),
            ]
              .filter(Boolean)
              .join("; ") || t("mon.without.no_reason"),
          ]),
        ],
      },
      layout: "lightHorizontalLines",
      fontSize: 9,
    });
  }
  content.push(
    { text: t("mon.pdf.q2"), style: "h2" },
    {
      text: t("mon.pdf.q2.answer", {
        inter: r.covered_by_intermunicipal_livc,
        interLivcs: r.intermunicipal_livcs,
        own: r.covered_by_own_livc,
        livcs: r.livcs,
      }),
    },
  );
  if (mapSvg) {
    content.push({ svg: mapSvg, width: 480, margin: [0, 8, 0, 4] });
    content.push({
      columns: (["own", "inter", "none", "needs_decision"] as const).map((s) => ({
        columns: [
          { canvas: [{ type: "rect", x: 0, y: 1, w: 8, h: 8, color: MAP_COLOURS[s], lineColor: "#6f6f6d" }], width: 12 },
          { text: t(`mon.state.${s}`), fontSize: 8 },
        ],
      })),
    });
  }
  content.push({ text: t("mon.pdf.q3"), style: "h2" });
  content.push(
    r.obstacles.length === 0
      ? { text: t("mon.obstacles.none") }
      : {
          table: {
            headerRows: 1,
            widths: ["*", 80, 120],
            body: [
              head([t("mon.col.reason"), t("mon.col.count"), t("mon.col.inherited")]),
              ...r.obstacles.map((o) => [t(`mon.reason.${o.reason}`), String(o.municipalities), String(o.inherited)]),
            ],
          },
          layout: "lightHorizontalLines",
        },
  );
  if (r.needs_decision.length > 0) {
    content.push({ text: t("mon.pdf.needs_decision"), style: "h2" }, { ul: r.needs_decision.map((n) => `${n.name} (${n.nis})`) });
  }
  content.push(
    { text: t("mon.provinces.title"), style: "h2" },
    {
      table: {
        headerRows: 1,
        widths: ["*", 70, 70, 70],
        body: [
          head([t("mon.col.province"), t("mon.col.count"), t("mon.col.covered"), t("mon.col.without")]),
          ...r.by_province.map((p) => [p.province, String(p.municipalities), String(p.covered), String(p.without_livc)]),
        ],
      },
      layout: "lightHorizontalLines",
    },
  );
  content.push(...caseFigureBlocks(tables, locale));
  content.push({ text: t("mon.pdf.generated", { date: formatDate(locale, today) }), margin: [0, 16, 0, 0], fontSize: 8, color: "#555555" });
  const doc = {
    info: { title: t("mon.pdf.title", { date }), creator: "Schakel" },
    language: locale,
    content,
    defaultStyle: { font: PDF_FONT, fontSize: 10 },
    styles: { title: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] }, h2: { fontSize: 13, bold: true, margin: [0, 12, 0, 4] } },
  };
  return renderPdf(doc);
}

/** "Casusoverleg per kwartaal" as the page shows it: per quarter Flanders (ranges) first, then the LIVCs ("<5"). */
function caseFigureBlocks(tables: QuarterTable[], locale: Locale): unknown[] {
  const t = translator(locale);
  const num = (n: number) => formatNumber(locale, n);
  const shown = (v: number | "<5") => (v === "<5" ? "<5" : num(v));
  const sectors = (s: Sector[]) => s.map((x) => sectorLabel(x, locale)).join(", ");
  const out: unknown[] = [
    { text: t("mon.cases.title"), style: "h2", pageBreak: "before" },
    { text: t("mon.cases.intro"), margin: [0, 0, 0, 4] },
    { text: t("mon.cases.whole_quarters"), margin: [0, 0, 0, 4] },
    { text: t("mon.cases.small_counts"), margin: [0, 0, 0, 4] },
  ];
  for (const { quarter, flanders, livcs } of tables) {
    out.push({ text: t("mon.cases.quarter", { q: String(quarter.q), year: String(quarter.year) }), bold: true, margin: [0, 8, 0, 2] });
    out.push({
      table: {
        headerRows: 1,
        widths: ["*", 60, 60, 70, "*"],
        body: [
          [t("mon.col.livc"), t("mon.cases.opened"), t("mon.cases.closed"), t("mon.cases.held"), t("mon.cases.sectors")].map((text) => ({ text, bold: true })),
          [
            t("mon.cases.flanders"),
            ...[flanders.casesOpened, flanders.casesClosed, flanders.consultationsHeld].map((v) => totalText(v, t, num)),
            sectors(flanders.sectorsPresent),
          ].map((text) => ({ text, bold: true })),
          ...livcs.map((l) => [l.livcName, shown(l.casesOpened), shown(l.casesClosed), shown(l.consultationsHeld), sectors(l.sectorsPresent)]),
        ],
      },
      layout: "lightHorizontalLines",
      fontSize: 9,
    });
    if (livcs.length === 0) out.push({ text: t("mon.cases.none"), fontSize: 9 });
  }
  return out;
}
