/** The regional participation figures as CSV (Excel nl-BE, formula-safe) and PDF (pdfmake, no URL access). */
import { PDF_FONT, renderPdf } from "../../platform/pdf";
import { toCsv } from "../../platform/csv";
import { formatDate, formatNumber, type Locale, translator } from "../../platform/i18n";
import { SECTOR_KEYS, sectorLabel } from "../identity/sectors";
import { DECLINE_REASONS } from "./migrations";
import type { RegionalAnswer, RegionalParticipation } from "./report";
import { extend } from "../../platform/objects";

export const PARTICIPATION_CSV_HEADER = [
  "date",
  "level",
  "livc_code",
  "livc",
  "sector",
  "social_partner",
  "livcs_member",
  "status",
  "low_attendance",
  "invitations_sent",
  "accepted",
  "declined",
  "expired",
  ...DECLINE_REASONS.map((r) => `declined_${r}`),
  "attendance_rate",
] as const;

/** One row per sector for Flanders, then one row per LIVC and sector with something to say. */
export function participationCsv(r: RegionalParticipation): string {
  const rows: unknown[][] = [];
  for (const s of r.by_sector) {
    rows.push([
      r.date,
      "flanders",
      "",
      "",
      s.sector,
      s.social_partner ? "yes" : "no",
      s.livcs_member,
      "",
      s.flags.livcs_low_attendance,
      s.invitations.sent,
      s.invitations.accepted,
      s.invitations.declined,
      s.invitations.expired,
      ...DECLINE_REASONS.map((reason) => s.decline_reasons[reason] ?? 0),
      s.attendance_rate_suppressed ? "suppressed" : s.attendance_rate === null ? "" : Math.round(s.attendance_rate * 1000) / 1000,
    ]);
  }
  for (const l of r.by_livc) {
    for (const sector of SECTOR_KEYS) {
      const c = l.cells[sector];
      if (!c) continue;
      rows.push([r.date, "livc", l.code, l.name, sector, "", "", c.status, c.low_attendance ? "yes" : "no", "", "", "", "", ...DECLINE_REASONS.map(() => ""), ""]);
    }
  }
  return toCsv(PARTICIPATION_CSV_HEADER, rows);
}

/** The PDF says which window the date asked was answered with (decision 0052), like the page. */
export async function participationPdf(r: RegionalAnswer, locale: Locale): Promise<Buffer> {
  const t = translator(locale);
  const date = formatDate(locale, r.date);
  const num = (v: number | string) => (typeof v === "number" ? formatNumber(locale, v) : v);
  const pct = (v: number | null) => (v === null ? "–" : formatNumber(locale, v, { style: "percent", maximumFractionDigits: 0 }));
  const head = (cells: string[]) => cells.map((text) => ({ text, bold: true }));
  const windowArgs = { requested: formatDate(locale, r.requested_date), from: formatDate(locale, r.period.from), to: formatDate(locale, r.period.to) };
  const doc = {
    pageOrientation: "landscape",
    defaultStyle: { font: PDF_FONT, fontSize: 8 },
    info: { title: t("pp.pdf.title", { date }) },
    content: [
      { text: t("pp.pdf.title", { date }), fontSize: 15, bold: true, margin: [0, 0, 0, 6] },
      { text: t("pp.period", { from: formatDate(locale, r.period.from), to: formatDate(locale, r.period.to) }) },
      ...(r.after_today ? [{ text: t("pp.window.future", windowArgs), margin: [0, 4, 0, 0] }] : []),
      { text: t("pp.window", windowArgs), margin: [0, 4, 0, 0] },
      { text: t("pp.structural"), margin: [0, 4, 0, 0] },
      { text: t("pp.pdf.summary", { livcs: r.livcs, without: r.livcs_without_social_partner }), margin: [0, 4, 0, 4] },
      { text: t("pp.social.def", { list: r.social_partner_sectors.map((s) => sectorLabel(s, locale)).join(", ") }), margin: [0, 0, 0, 4] },
      { text: t("pp.suppression"), italics: true, margin: [0, 0, 0, 8] },
      {
        table: {
          headerRows: 1,
          widths: ["*", 40, 40, 40, 40, 40, 40, "*", 55],
          body: [
            head([t("pp.col.sector"), t("pp.col.member"), t("pp.col.share"), t("pp.col.sent"), t("pp.col.accepted"), t("pp.col.declined"), t("pp.col.expired"), t("pp.col.reasons"), t("pp.col.attendance")]),
            ...r.by_sector.map((s) => [
              sectorLabel(s.sector, locale),
              num(s.livcs_member),
              pct(s.share_livcs_member),
              num(s.invitations.sent),
              num(s.invitations.accepted),
              num(s.invitations.declined),
              num(s.invitations.expired),
              Object.entries(s.decline_reasons)
                .map(([reason, n]) => `${t(`pt.reason.${reason as "other"}`)}: ${num(n ?? 0)}`)
                .join("; "),
              s.attendance_rate_suppressed ? t("pp.rate.hidden") : s.attendance_rate === null ? t("pp.rate.none") : pct(s.attendance_rate),
            ]),
          ],
        },
      },
      { text: t("pp.matrix.title"), fontSize: 12, bold: true, margin: [0, 12, 0, 4], pageBreak: "before" },
      {
        table: {
          headerRows: 1,
          body: [
            head([t("pt.col.livc"), ...SECTOR_KEYS.map((s) => sectorLabel(s, locale))]).map((c) => extend(c, { fontSize: 6 })),
            ...r.by_livc.map((l) => [
              { text: l.name, fontSize: 6 },
              ...SECTOR_KEYS.map((s) => {
                const c = l.cells[s];
                if (!c) return { text: "", fontSize: 6 };
                const label = [c.status !== "none" ? t(`pp.cell.${c.status}`) : "", c.low_attendance ? `! ${t("pp.cell.low_attendance")}` : ""].filter(Boolean).join(", ");
                const fill = c.status === "member" ? "#cce2d8" : c.status === "declined" ? "#f6d7d2" : c.status === "pending" ? "#dde5ee" : "#e5e6e7";
                return { text: label, fontSize: 6, fillColor: fill };
              }),
            ]),
          ],
        },
      },
    ],
  };
  return renderPdf(doc);
}
