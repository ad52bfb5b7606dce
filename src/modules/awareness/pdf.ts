/**
 * The advice as a PDF through the shared renderer (src/platform/pdf.ts: Roboto shipped in pdfmake,
 * no URL ever fetched, only the font files read from disk).
 */
import { type Locale, translator } from "../../platform/i18n";
import { formatDate } from "../../platform/i18n";
import { sectorLabel } from "../identity/sectors";
import type { Advice } from "./advice";
import { objectionLabelKey, shownText, suppress, talkingPointKey } from "./objections";
import { PDF_FONT, renderPdf } from "../../platform/pdf";

export interface AdvicePdfInput {
  advice: Advice;
  of: number;
  campaignName: string;
  date: string;
  locale: Locale;
}

/** The document definition (exported for tests that check content without rendering). */
export function adviceDocument({ advice, of, campaignName, date, locale }: AdvicePdfInput) {
  const t = translator(locale);
  const g = advice.government;
  const a = advice.activity;
  const count = (n: number) => shownText(suppress(n));
  const missing = advice.missing.length === 0
    ? [{ text: t("aw.advice.none_missing"), margin: [0, 0, 0, 8] }]
    : [
        {
          table: {
            headerRows: 1,
            widths: ["35%", "65%"],
            body: [
              [{ text: t("aw.advice.col.sector"), bold: true }, { text: t("aw.advice.col.objections"), bold: true }],
              ...advice.missing.map((m) => [
                sectorLabel(m.sector, locale),
                m.objections.length === 0
                  ? t("aw.advice.no_objections")
                  : m.objections.map((o) => `${t(objectionLabelKey(o.objection))} (${t("aw.advice.organisations", { n: count(o.organisations) })})`).join("\n"),
              ]),
            ],
          },
          margin: [0, 0, 0, 8],
        },
      ];
  return {
    info: { title: `${t("aw.advice.title")} ${g.name}`, creator: "Schakel" },
    pageSize: "A4",
    pageMargins: [50, 60, 50, 60],
    defaultStyle: { font: PDF_FONT, fontSize: 10, lineHeight: 1.25 },
    footer: (page: number, pages: number) => ({ text: `${g.name} · ${page}/${pages}`, alignment: "center", fontSize: 8, margin: [0, 20, 0, 0] }),
    content: [
      { text: `${t("aw.advice.title")}: ${g.name}`, fontSize: 18, bold: true, margin: [0, 0, 0, 4] },
      { text: `${campaignName} · ${t("aw.advice.situation_on", { date: formatDate(locale, date) })} · NIS ${g.nis} · ${g.province}`, fontSize: 9, margin: [0, 0, 0, 12] },
      { text: t("aw.advice.intro"), margin: [0, 0, 0, 10] },
      { text: t("aw.advice.facts"), fontSize: 13, bold: true, margin: [0, 6, 0, 4] },
      {
        ul: [
          g.livcName ? t("aw.advice.livc", { name: g.livcName }) : t("aw.advice.no_livc"),
          t("aw.advice.consultations", { n: a.consultations }),
          t("aw.advice.partner_sectors", { n: a.partnerSectors }),
          ...(a.readinessTotal > 0 ? [t("aw.advice.readiness", { done: a.readinessDone, total: a.readinessTotal })] : []),
          t("aw.advice.position", { position: advice.position, of }),
        ],
        margin: [0, 0, 0, 6],
      },
      { text: t("aw.advice.ordering"), fontSize: 9, italics: true, margin: [0, 0, 0, 10] },
      { text: t("aw.advice.missing"), fontSize: 13, bold: true, margin: [0, 6, 0, 4] },
      ...missing,
      ...(advice.talkingPoints.length > 0
        ? [
            { text: t("aw.advice.talking_points"), fontSize: 13, bold: true, margin: [0, 6, 0, 4] },
            ...advice.talkingPoints.flatMap((o) => [
              { text: t(objectionLabelKey(o)), bold: true, margin: [0, 4, 0, 2] },
              { text: t(talkingPointKey(o)), margin: [0, 0, 0, 6] },
            ]),
          ]
        : []),
      { text: t("aw.advice.small_counts"), fontSize: 8, margin: [0, 12, 0, 0] },
    ],
  };
}

export async function advicePdf(input: AdvicePdfInput): Promise<Buffer> {
  return renderPdf(adviceDocument(input));
}
