import { SECTOR_KEYS, sectorLabel } from "../../identity/sectors";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { CellStatus } from "../analysis";
import type { ParticipationWindow, RegionalParticipation, Shown } from "../report";
import { addDays } from "../../../platform/db/values";
import { ScrollRegion } from "../../../platform/web/fields";

const CELL_CLASS: Record<CellStatus, string> = { member: "tag green", declined: "tag red", pending: "tag", never_invited: "tag grey", none: "" };

/**
 * The page: the date form, then the figures. `figuresHtml` is the figures rendered earlier by
 * ParticipationFigures for this report and language (the route keeps it with the cached report:
 * rendering ~4,000 matrix cells cost 10-20 ms a request, issue 9); without it they are rendered here.
 */
export function ParticipationPage(p: { ctx: ViewContext; report: RegionalParticipation | null; window?: ParticipationWindow; figuresHtml?: string; dateInput: string; dateError?: string }) {
  const { ctx, report: r } = p;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("pp.title")} wide>
      <h1>{t("pp.title")}</h1>
      <p class="lead">{t("pp.intro")}</p>
      <form method="get" action="/monitoring/participation" class="search-form">
        <div class={p.dateError ? "form-group form-group-error" : "form-group"}>
          <label for="date">{t("pp.date")}</label>
          <p class="hint" id="date-hint">
            {t("pp.date.hint")}
          </p>
          {p.dateError ? (
            <p class="field-error" id="date-error">
              {p.dateError}
            </p>
          ) : null}
          <input id="date" name="date" type="text" value={p.dateInput} maxLength={10} aria-describedby={p.dateError ? "date-hint date-error" : "date-hint"} />
        </div>
        <button type="submit" class="button">
          {t("pp.submit")}
        </button>
      </form>
      {p.window ? <WindowNotice ctx={ctx} window={p.window} /> : null}
      {r === null ? null : p.figuresHtml !== undefined ? (
        <div class="participation-figures" dangerouslySetInnerHTML={{ __html: p.figuresHtml }} />
      ) : (
        <div class="participation-figures">
          <ParticipationFigures ctx={ctx} report={r} />
        </div>
      )}
    </Layout>
  );
}

/**
 * Which window the date asked was answered with (decision 0052): per request, outside the cached figures,
 * since it names the date asked and depends on today.
 */
function WindowNotice(p: { ctx: ViewContext; window: ParticipationWindow }) {
  const { ctx, window: w } = p;
  const args = { requested: ctx.date(w.requested), from: ctx.date(w.from), to: ctx.date(w.date) };
  return (
    <div class="notice" id="window-notice">
      {w.after_today ? <p>{ctx.t("pp.window.future", args)}</p> : null}
      <p>{ctx.t("pp.window", args)}</p>
    </div>
  );
}

/** The figures of one report: depends on the report and the language only (ctx.t, ctx.date, ctx.num). */
export function ParticipationFigures(p: { ctx: ViewContext; report: RegionalParticipation }) {
  const { ctx, report: r } = p;
  const { t } = ctx;
  const shown = (v: Shown | undefined) => (v === undefined ? "0" : typeof v === "number" ? ctx.num(v) : v);
  const pct = (v: number | null) => (v === null ? "–" : ctx.num(v, { style: "percent", maximumFractionDigits: 0 }));
  // The day after the figures' date lies in the next quarter, so it is answered with these same figures.
  const linkDate = addDays(r.date, 1);
  return (
    <>
      <p>{t("pp.period", { from: ctx.date(r.period.from), to: ctx.date(r.period.to) })}</p>
      <ul class="cards">
        <li class="card">
          <span class="legend">{t("pp.card.livcs")}</span> <strong>{ctx.num(r.livcs)}</strong>
        </li>
        <li class="card">
          <span class="legend">{t("pp.card.without")}</span> <strong>{ctx.num(r.livcs_without_social_partner)}</strong>
        </li>
        <li class="card">
          <span class="legend">{t("pp.card.share")}</span> <strong>{pct(r.share_without_social_partner)}</strong>
        </li>
      </ul>
      <p>{t("pp.social.def", { list: r.social_partner_sectors.map((s) => sectorLabel(s, ctx.locale)).join(", ") })}</p>
      <p class="notice">{t("pp.suppression")}</p>
      <p>{t("pp.structural")}</p>

      <h2>{t("pp.sector.title")}</h2>
      <ScrollRegion label={t("pp.sector.caption")}>
        <table class="table" id="by-sector">
          <caption>{t("pp.sector.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("pp.col.sector")}</th>
              <th scope="col">{t("pp.col.social")}</th>
              <th scope="col">{t("pp.col.member")}</th>
              <th scope="col">{t("pp.col.share")}</th>
              <th scope="col">{t("pp.col.sent")}</th>
              <th scope="col">{t("pp.col.accepted")}</th>
              <th scope="col">{t("pp.col.declined")}</th>
              <th scope="col">{t("pp.col.expired")}</th>
              <th scope="col">{t("pp.col.reasons")}</th>
              <th scope="col">{t("pp.col.attendance")}</th>
              <th scope="col">{t("pp.col.flags")}</th>
            </tr>
          </thead>
          <tbody>
            {r.by_sector.map((s) => (
              <tr data-sector={s.sector}>
                <th scope="row">{sectorLabel(s.sector, ctx.locale)}</th>
                <td>{t(s.social_partner ? "pp.yes" : "pp.no")}</td>
                <td>{ctx.num(s.livcs_member)}</td>
                <td>{pct(s.share_livcs_member)}</td>
                <td>{shown(s.invitations.sent)}</td>
                <td>{shown(s.invitations.accepted)}</td>
                <td>{shown(s.invitations.declined)}</td>
                <td>{shown(s.invitations.expired)}</td>
                <td>
                  {Object.entries(s.decline_reasons).map(([reason, n]) => (
                    <span class="reason" data-reason={reason}>
                      {t(`pt.reason.${reason as "other"}`)}: {shown(n)}
                      <br />
                    </span>
                  ))}
                </td>
                <td>{s.attendance_rate_suppressed ? t("pp.rate.hidden") : s.attendance_rate === null ? t("pp.rate.none") : pct(s.attendance_rate)}</td>
                <td>
                  {ctx.num(s.flags.livcs_declined)} / {ctx.num(s.flags.livcs_low_attendance)} / {ctx.num(s.flags.livcs_never_invited)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>

      <h2>{t("pp.matrix.title")}</h2>
      <p>
        {t("pp.matrix.legend")}: <span class="tag green">{t("pp.cell.member")}</span> <span class="tag red">{t("pp.cell.declined")}</span>{" "}
        <span class="tag">{t("pp.cell.pending")}</span> <span class="tag grey">{t("pp.cell.never_invited")}</span>{" "}
        <span class="tag red">! {t("pp.cell.low_attendance")}</span>
      </p>
      <ScrollRegion label={t("pp.matrix.caption", { date: ctx.date(r.date) })}>
        <table class="table matrix" id="matrix">
          <caption>{t("pp.matrix.caption", { date: ctx.date(r.date) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("pt.col.livc")}</th>
              <th scope="col">{t("pp.matrix.social")}</th>
              {SECTOR_KEYS.map((s) => (
                <th scope="col">{sectorLabel(s, ctx.locale)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.by_livc.map((row) => (
              <tr>
                <th scope="row">{row.name}</th>
                <td>{t(row.social_partner ? "pp.yes" : "pp.no")}</td>
                {SECTOR_KEYS.map((s) => {
                  const c = row.cells[s];
                  if (!c) return <td><span aria-hidden="true">{t("pp.cell.none")}</span><span class="visually-hidden">{t("pp.cell.none.label")}</span></td>;
                  return (
                    <td>
                      {c.status !== "none" ? <span class={CELL_CLASS[c.status]}>{t(`pp.cell.${c.status}`)}</span> : null}
                      {c.low_attendance ? <span class="tag red">! {t("pp.cell.low_attendance")}</span> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>

      <h2>{t("pp.downloads")}</h2>
      <ul>
        <li>
          <a href={`/monitoring/participation.csv?date=${linkDate}`} download>
            {t("pp.download.csv")}
          </a>
        </li>
        <li>
          <a href={`/monitoring/participation.pdf?date=${linkDate}`} download>
            {t("pp.download.pdf")}
          </a>
        </li>
      </ul>
      <p>{t("pp.api", { url: `/api/v1/monitoring/participation?date=${linkDate}` })}</p>
    </>
  );
}
