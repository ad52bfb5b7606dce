import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { ScrollRegion } from "../../../platform/web/fields";
import type { municipalityHistory } from "../service";

type History = NonNullable<Awaited<ReturnType<typeof municipalityHistory>>>;

export function MunicipalityPage(props: { ctx: ViewContext; history: History }) {
  const { ctx, history } = props;
  const { t } = ctx;
  const latest = history.versions[history.versions.length - 1];
  const current = latest.valid_to === null;
  return (
    <Layout ctx={ctx} title={`${latest.name} (${history.nis})`}>
      <p>
        <a href="/municipalities">{t("ref.detail.back")}</a>
      </p>
      <h1>
        {latest.name} <span class="tag grey">{history.nis}</span>
      </h1>
      <dl class="summary">
        <dt>{t("ref.col.province")}</dt>
        <dd>{latest.province}</dd>
        <dt>{t("ref.col.arrondissement")}</dt>
        <dd>{latest.arrondissement}</dd>
        <dt>{t("ref.detail.from")}</dt>
        <dd>{ctx.date(history.versions[0].valid_from)}</dd>
        <dt>{t("ref.detail.to")}</dt>
        <dd>
          {current ? (
            <span class="tag green">{t("ref.detail.current")}</span>
          ) : (
            <>
              {ctx.date(latest.valid_to)} <span class="tag red">{t("ref.detail.dissolved")}</span>
            </>
          )}
        </dd>
      </dl>
      {history.mergedInto.length > 0 ? (
        <p class="notice">
          {t("ref.detail.merged")}{" "}
          {history.mergedInto.map((s) => (
            <a href={`/municipalities/${s.nis}`}>
              {s.name} ({s.nis})
            </a>
          ))}
        </p>
      ) : null}
      {history.predecessors.length > 0 ? (
        <>
          <h2>{t("ref.detail.predecessors")}</h2>
          <ul>
            {history.predecessors.map((p) => (
              <li>
                <a href={`/municipalities/${p.nis}`}>
                  {p.name} ({p.nis})
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>{t("ref.detail.versions")}</h2>
      <ScrollRegion label={t("ref.detail.versions")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("ref.col.name")}</th>
              <th scope="col">{t("ref.detail.from")}</th>
              <th scope="col">{t("ref.detail.to")}</th>
              <th scope="col">{t("ref.col.arrondissement")}</th>
            </tr>
          </thead>
          <tbody>
            {history.versions.map((v) => (
              <tr>
                <td>{v.name}</td>
                <td>{ctx.date(v.valid_from)}</td>
                <td>{v.valid_to ? ctx.date(v.valid_to) : t("ref.detail.now")}</td>
                <td>{v.arrondissement}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <h2>{t("ref.detail.zones")}</h2>
      <ScrollRegion label={t("ref.detail.zones")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("ref.col.zone")}</th>
              <th scope="col">{t("ref.detail.from")}</th>
              <th scope="col">{t("ref.detail.to")}</th>
            </tr>
          </thead>
          <tbody>
            {history.zones.map((z) => (
              <tr>
                <td>
                  {z.name} ({z.number ?? t("ref.detail.zone.number.unknown")})
                </td>
                <td>{ctx.date(z.valid_from)}</td>
                <td>{z.valid_to ? ctx.date(z.valid_to) : t("ref.detail.now")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </Layout>
  );
}
