import { ScrollRegion } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { CoverageState } from "../../registry/service";
import type { QuarterTable } from "../case-figures";
import { mapSize } from "../map";
import type { dashboardData } from "../service";
import { CaseFiguresSection } from "./case-figures";
import { TrendChart } from "./trend";

type Dashboard = Awaited<ReturnType<typeof dashboardData>>;

const STATES: CoverageState[] = ["own", "inter", "none", "needs_decision"];
const SWATCH: Record<CoverageState, string> = { own: "own", inter: "inter", none: "none", needs_decision: "decide" };

/**
 * The page around the main content. The content is rendered apart (DashboardMain) and cached per
 * register revision, date and language (issue 9); only this layout (navigation, the logout form's
 * CSRF token) is rendered per request. `mainHtml` is our own rendered markup.
 */
export function DashboardPage(props: { ctx: ViewContext; mainHtml: string }) {
  return (
    <Layout ctx={props.ctx} title={props.ctx.t("mon.title")} wide>
      <div dangerouslySetInnerHTML={{ __html: props.mainHtml }} />
    </Layout>
  );
}

/** Everything inside <main>: the same for every analyst on a revision, date and language. */
export function DashboardMain(props: { ctx: ViewContext; dateInput: string; error?: string; data: Dashboard | null; caseTables?: QuarterTable[]; afterToday?: boolean }) {
  const { ctx, data } = props;
  const { t } = ctx;
  return (
    <>
      <ErrorSummary ctx={ctx} errors={props.error ? [{ field: "date", message: props.error }] : []} />
      <h1>{t("mon.title")}</h1>
      <p class="lead">{t("mon.intro")}</p>
      <form method="get" action="/monitoring" class="search-form">
        <div class={props.error ? "form-group form-group-error" : "form-group"}>
          <label for="date">{t("mon.date")}</label>
          <p class="hint" id="date-hint">
            {t("mon.date.hint")}
          </p>
          {props.error ? (
            <p class="field-error" id="date-error">
              {props.error}
            </p>
          ) : null}
          <input
            type="date"
            id="date"
            name="date"
            value={props.dateInput}
            min="2019-01-01"
            aria-describedby={props.error ? "date-hint date-error" : "date-hint"}
            aria-invalid={props.error ? "true" : undefined}
          />
        </div>
        <button type="submit" class="button">
          {t("mon.submit")}
        </button>
      </form>
      {data && props.afterToday ? (
        <p class="notice" id="future-notice">
          {t("mon.future", { date: ctx.date(data.report.date) })}
        </p>
      ) : null}
      {data ? <Report ctx={ctx} data={data} /> : null}
      {data && props.caseTables ? <CaseFiguresSection ctx={ctx} tables={props.caseTables} date={data.report.date} /> : null}
    </>
  );
}

function Report(props: { ctx: ViewContext; data: Dashboard }) {
  const { ctx, data } = props;
  const { t } = ctx;
  const r = data.report;
  const date = ctx.date(r.date);
  const cards: [string, number][] = [
    [t("mon.card.municipalities"), r.municipalities],
    [t("mon.card.covered"), r.covered],
    [t("mon.card.without"), r.without_livc],
    [t("mon.card.own"), r.covered_by_own_livc],
    [t("mon.card.inter"), r.covered_by_intermunicipal_livc],
    [t("mon.card.livcs"), r.livcs],
    [t("mon.card.inter_livcs"), r.intermunicipal_livcs],
    [t("mon.card.needs_decision"), r.needs_decision.length],
  ];
  const q = `date=${r.date}`;
  const size = mapSize(r.set);
  return (
    <>
      <h2 id="report-date">{t("mon.on", { date })}</h2>
      <p id="report-set" data-set={r.set}>
        {t("mon.set", { set: r.set })}
      </p>
      <ul class="cards">
        {cards.map(([label, n]) => (
          <li class="card">
            <span class="figure">{ctx.num(n)}</span> {label}
          </li>
        ))}
      </ul>
      <h2>{t("mon.downloads")}</h2>
      <ul>
        <li>
          <a href={`/monitoring/coverage.csv?${q}`} download>
            {t("mon.download.csv")}
          </a>
        </li>
        <li>
          <a href={`/monitoring/coverage.pdf?${q}`} download>
            {t("mon.download.pdf")}
          </a>
        </li>
      </ul>

      <h2>{t("mon.map.title", { date })}</h2>
      <figure class="map-figure">
        {/* A resource of its own, cached by the browser (ETag); the table below is its text twin. */}
        <img
          class="coverage-map"
          src={`/monitoring/map.svg?${q}`}
          alt={t("mon.map.alt", { date, covered: ctx.num(r.covered), total: ctx.num(r.municipalities), inter: ctx.num(r.covered_by_intermunicipal_livc) })}
          width={size.width}
          height={size.height}
          data-set={r.set}
        />
        <figcaption>{t("mon.map.caption", { set: r.set })}</figcaption>
      </figure>
      <ul class="legend">
        {STATES.map((s) => (
          <li>
            <span class={`swatch ${SWATCH[s]}`} aria-hidden="true" />
            {t(`mon.state.${s}`)}
          </li>
        ))}
      </ul>
      <details>
        <summary>{t("mon.map.table")}</summary>
        <ScrollRegion label={t("mon.map.title", { date })}>
          <table id="map-table">
            <caption>{t("mon.map.title", { date })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("mon.col.nis")}</th>
                <th scope="col">{t("mon.col.name")}</th>
                <th scope="col">{t("mon.col.province")}</th>
                <th scope="col">{t("mon.col.state")}</th>
                <th scope="col">{t("mon.col.livc")}</th>
              </tr>
            </thead>
            <tbody>
              {data.municipalities.map((m) => (
                <tr>
                  <td>{m.nis}</td>
                  <td>
                    <a href={`/municipalities/${m.nis}`}>{m.name}</a>
                  </td>
                  <td>{m.province}</td>
                  <td>{t(`mon.state.${m.state}`)}</td>
                  <td>{m.livcName ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </details>

      <h2 id="without">{t("mon.without.title")}</h2>
      {data.withoutDetails.length === 0 ? (
        <p>{t("mon.without.none")}</p>
      ) : (
        <ScrollRegion label={t("mon.without.title")}>
          <table id="without-table">
            <caption class="visually-hidden">{t("mon.without.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("mon.col.nis")}</th>
                <th scope="col">{t("mon.col.name")}</th>
                <th scope="col">{t("mon.col.province")}</th>
                <th scope="col">{t("mon.col.obstacles")}</th>
              </tr>
            </thead>
            <tbody>
              {data.withoutDetails.map((w) => (
                <tr>
                  <td>{w.nis}</td>
                  <td>
                    <a href={`/municipalities/${w.nis}`}>{w.name}</a>
                    {w.needsDecision ? (
                      <>
                        {" "}
                        <span class="tag">{t("mon.state.needs_decision")}</span>
                      </>
                    ) : null}
                  </td>
                  <td>{w.province}</td>
                  <td>
                    {w.reasons.length === 0 ? (
                      <span class="hint">{t("mon.without.no_reason")}</span>
                    ) : (
                      <ul class="plain">
                        {w.reasons.map((o) => (
                          <li>
                            {t(`mon.reason.${o.reason}`)}
                            {o.note ? `: ${o.note}` : ""} ({ctx.date(o.recorded_on)})
                            {o.formerly ? (
                              <>
                                {" "}
                                <span class="tag grey">{t("mon.obstacles.inherited")}</span>{" "}
                                {t("mon.obstacles.formerly", { name: o.formerly.name, nis: o.formerly.nis, date: ctx.date(o.recorded_on) })}
                              </>
                            ) : null}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}

      <h2>{t("mon.obstacles.title")}</h2>
      <p>{t("mon.obstacles.intro")}</p>
      {r.obstacles.length === 0 ? (
        <p>{t("mon.obstacles.none")}</p>
      ) : (
        <ScrollRegion label={t("mon.obstacles.title")}>
          <table>
            <caption class="visually-hidden">{t("mon.obstacles.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("mon.col.reason")}</th>
                <th scope="col">{t("mon.col.count")}</th>
                <th scope="col">{t("mon.col.inherited")}</th>
              </tr>
            </thead>
            <tbody>
              {r.obstacles.map((o) => (
                <tr>
                  <td>{t(`mon.reason.${o.reason}`)}</td>
                  <td>{ctx.num(o.municipalities)}</td>
                  <td>{ctx.num(o.inherited)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}

      <h2>{t("mon.provinces.title")}</h2>
      <ScrollRegion label={t("mon.provinces.title")}>
        <table>
          <caption class="visually-hidden">{t("mon.provinces.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("mon.col.province")}</th>
              <th scope="col">{t("mon.card.municipalities")}</th>
              <th scope="col">{t("mon.col.covered")}</th>
              <th scope="col">{t("mon.col.without")}</th>
            </tr>
          </thead>
          <tbody>
            {r.by_province.map((p) => (
              <tr>
                <th scope="row">{p.province}</th>
                <td>{ctx.num(p.municipalities)}</td>
                <td>{ctx.num(p.covered)}</td>
                <td>{ctx.num(p.without_livc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>

      <h2>{t("mon.trend.title")}</h2>
      <p>{t("mon.trend.intro")}</p>
      <TrendChart points={data.trend} />
      <ul class="legend">
        <li>
          <span class="swatch own" aria-hidden="true" />
          {t("mon.col.covered")}
        </li>
        <li>
          <span class="swatch inter" aria-hidden="true" />
          {t("mon.col.inter")}
        </li>
      </ul>
      <ScrollRegion label={t("mon.trend.title")}>
        <table id="trend-table">
          <caption class="visually-hidden">{t("mon.trend.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("mon.col.date")}</th>
              <th scope="col">{t("mon.card.municipalities")}</th>
              <th scope="col">{t("mon.col.covered")}</th>
              <th scope="col">{t("mon.col.without")}</th>
              <th scope="col">{t("mon.col.inter")}</th>
            </tr>
          </thead>
          <tbody>
            {data.trend.map((p) => (
              <tr>
                <th scope="row">{ctx.date(p.date)}</th>
                <td>{ctx.num(p.municipalities)}</td>
                <td>{ctx.num(p.covered)}</td>
                <td>{ctx.num(p.without_livc)}</td>
                <td>{ctx.num(p.intermunicipal)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </>
  );
}
