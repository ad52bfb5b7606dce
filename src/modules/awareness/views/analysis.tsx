import { ScrollRegion } from "../../../platform/web/fields";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { isSector, SECTOR_KEYS, sectorLabel } from "../../identity/sectors";
import type { Analysis, GroupFigures } from "../analysis";
import { BarChart, ScaleChart } from "../charts";
import { OBJECTIONS, objectionLabelKey, shownText, suppress } from "../objections";
import { Select } from "./form";

const pct = (ctx: ViewContext, v: number) => ctx.num(v, { style: "percent", maximumFractionDigits: 0 });

function share(ctx: ViewContext, n: number, of: number): string {
  if (suppress(n).suppressed) return "<5";
  return of === 0 ? "-" : pct(ctx, n / of);
}

function GroupTable({ ctx, title, groups, label }: { ctx: ViewContext; title: string; groups: GroupFigures[]; label: (g: string) => string }) {
  const { t } = ctx;
  return (
    <ScrollRegion label={title}>
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t("aw.col.group")}</th>
            <th scope="col">{t("aw.col.responses")}</th>
            {OBJECTIONS.map((o) => (
              <th scope="col">{t(objectionLabelKey(o))}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr>
              <th scope="row">{label(g.group)}</th>
              <td>{shownText(suppress(g.responses), ctx.num)}</td>
              {OBJECTIONS.map((o) => (
                <td>{share(ctx, g.objections[o], g.responses)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

export function AnalysisPage(props: { ctx: ViewContext; campaign: { id: string; name: string }; analysis: Analysis; provinces: string[]; filter: { sector?: string; province?: string } }) {
  const { ctx, analysis: a, campaign, filter } = props;
  const { t } = ctx;
  const base = `/awareness/campaigns/${campaign.id}`;
  const sectorName = (s: string) => (isSector(s) ? sectorLabel(s, ctx.locale) : s);
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]).toString();
  const overall = a.overall;
  return (
    <Layout ctx={ctx} title={`${t("aw.analysis")}: ${campaign.name}`} wide>
      <p>
        <a href={base}>{t("aw.back")}</a>
      </p>
      <h1>
        {t("aw.analysis")}: {campaign.name}
      </h1>
      <form method="get" action={`${base}/analysis`} class="filter-form">
        <h2>{t("aw.analysis.filter")}</h2>
        <Select
          id="sector"
          label={t("aw.field.sector")}
          value={filter.sector ?? ""}
          options={[{ value: "", label: t("aw.analysis.all") }, ...SECTOR_KEYS.map((s) => ({ value: s, label: sectorLabel(s, ctx.locale) }))]}
        />
        <Select id="province" label={t("aw.field.province")} value={filter.province ?? ""} options={[{ value: "", label: t("aw.analysis.all") }, ...props.provinces.map((p) => ({ value: p, label: p }))]} />
        <button type="submit" class="secondary">{t("aw.analysis.show")}</button>
      </form>
      <p id="response-count">{t("aw.responses.count", { n: shownText(suppress(a.responses), ctx.num) })}</p>
      <p class="hint">{t("aw.analysis.small")}</p>
      <p>
        <a href={`${base}/analysis.csv${query ? `?${query}` : ""}`} download>
          {t("aw.analysis.csv")}
        </a>
      </p>

      <h2>{t("aw.analysis.objections")}</h2>
      <BarChart
        bars={OBJECTIONS.map((o) => ({ label: t(objectionLabelKey(o)), value: suppress(overall.objections[o]).suppressed || overall.responses === 0 ? null : overall.objections[o] / overall.responses }))}
        format={(v) => pct(ctx, v)}
      />
      {/* Long objection names: at 320 px the table scrolls in its own region, not the page (WCAG 1.4.10). */}
      <ScrollRegion label={t("aw.analysis.objections")}>
      <table>
        <caption class="visually-hidden">{t("aw.analysis.objections")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("aw.col.objection")}</th>
            <th scope="col">{t("aw.col.count")}</th>
            <th scope="col">{t("aw.col.share")}</th>
          </tr>
        </thead>
        <tbody>
          {OBJECTIONS.map((o) => (
            <tr>
              <th scope="row">{t(objectionLabelKey(o))}</th>
              <td>{shownText(suppress(overall.objections[o]), ctx.num)}</td>
              <td>{share(ctx, overall.objections[o], overall.responses)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </ScrollRegion>

      <h2>{t("aw.analysis.by_sector")}</h2>
      <GroupTable ctx={ctx} title={t("aw.analysis.by_sector")} groups={a.bySector} label={sectorName} />
      <h2>{t("aw.analysis.by_province")}</h2>
      <GroupTable ctx={ctx} title={t("aw.analysis.by_province")} groups={a.byProvince} label={(p) => p} />

      <h2>{t("aw.analysis.scales")}</h2>
      {a.scales.map((s) => (
        <section>
          <h3 lang={ctx.locale === "fr" ? "fr" : "nl"}>{ctx.locale === "fr" ? s.text_fr : s.text_nl}</h3>
          <ScaleChart counts={s.counts.map((n) => (suppress(n).suppressed ? 0 : n))} />
          <ScrollRegion label={ctx.locale === "fr" ? s.text_fr : s.text_nl}>
          <table>
            <caption class="visually-hidden">{ctx.locale === "fr" ? s.text_fr : s.text_nl}</caption>
            <thead>
              <tr>
                {[1, 2, 3, 4, 5].map((n) => (
                  <th scope="col">{n}</th>
                ))}
                <th scope="col">{t("aw.col.answered")}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                {s.counts.map((n) => (
                  <td>{shownText(suppress(n), ctx.num)}</td>
                ))}
                <td>{shownText(suppress(s.answered), ctx.num)}</td>
              </tr>
            </tbody>
          </table>
          </ScrollRegion>
        </section>
      ))}

      <h2>{t("aw.analysis.free_text")}</h2>
      {a.responses < 5 ? (
        <p>{t("aw.analysis.free_text.hidden")}</p>
      ) : (
        <>
          <p class="hint">{t("aw.analysis.free_text.note")}</p>
          {a.freeText.map((f) => (
            <section>
              <h3 lang={ctx.locale === "fr" ? "fr" : "nl"}>{ctx.locale === "fr" ? f.text_fr : f.text_nl}</h3>
              {f.answers.length === 0 ? (
                <p>{t("aw.analysis.free_text.none")}</p>
              ) : (
                <ul>
                  {f.answers.map((x) => (
                    <li>{x}</li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </>
      )}
    </Layout>
  );
}
