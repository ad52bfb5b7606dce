/** The coverage report as CSV (Excel nl-BE, formula-safe) and as a PDF answering the parliamentary questions. */
import { PDF_FONT, renderPdf } from "../../platform/pdf";
import { toCsv } from "../../platform/csv";
import { formatDate, type Locale, translator } from "../../platform/i18n";
import { todayInBrussels } from "../../platform/db/values";
import { MAP_COLOURS } from "./map";
import type { dashboardData } from "./service";

type Dashboard = Awaited<ReturnType<typeof dashboardData>>;

export const CSV_HEADER = ["date", "set", "nis", "municipality", "province", "police_zone", "coverage", "livc", "obstacles"] as const;

/** One row per municipality valid on the date; obstacles only for those without an LIVC. */
export function coverageCsv(d: Dashboard): string {
  const reasons = new Map(d.withoutDetails.map((w) => [w.nis, w.reasons]));
  const rows = d.municipalities.map((m) => [
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
  ]);
  return toCsv(CSV_HEADER, rows);
}

export async function coveragePdf(d: Dashboard, locale: Locale, mapSvg?: string): Promise<Buffer> {
  const t = translator(locale);
  const r = d.report;
  const date = formatDate(locale, r.date);
  const nums = { count: r.municipalities, without: r.without_livc, covered: r.covered, date };
  const head = (cells: string[]) => cells.map((text) => ({ text, bold: true }));
  const content: unknown[] = [
    { text: t("mon.pdf.title", { date }), style: "title" },
    { text: t("mon.pdf.subtitle", { set: r.set, count: r.municipalities }), margin: [0, 0, 0, 12] },
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
    { text: t("mon.pdf.generated", { date: formatDate(locale, todayInBrussels()) }), margin: [0, 16, 0, 0], fontSize: 8, color: "#555555" },
  );
  const doc = {
    info: { title: t("mon.pdf.title", { date }), creator: "Schakel" },
    language: locale,
    content,
    defaultStyle: { font: PDF_FONT, fontSize: 10 },
    styles: { title: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] }, h2: { fontSize: 13, bold: true, margin: [0, 12, 0, 4] } },
  };
  return renderPdf(doc);
}
