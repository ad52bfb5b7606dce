import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { ScrollRegion } from "../../../platform/web/fields";

export interface MergerRow {
  nis: string;
  name: string;
  parts: { nis: string; name: string; livc: string | null }[];
  decision: { decision: "livc" | "none"; livc: string | null } | null;
}

export function MergersPage(props: { ctx: ViewContext; rows: MergerRow[]; canManage: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("reg.merger.title")}>
      <p>
        <a href="/registry">{t("reg.detail.back")}</a>
      </p>
      <h1>{t("reg.merger.title")}</h1>
      <p class="lead">{t("reg.merger.intro")}</p>
      {props.rows.length === 0 ? (
        <p>{t("reg.merger.none")}</p>
      ) : (
        <ScrollRegion label={t("reg.merger.title")}>
          <table>
            <caption class="visually-hidden">{t("reg.merger.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("reg.col.municipality")}</th>
                <th scope="col">{t("reg.col.parts")}</th>
                <th scope="col">{t("reg.col.decision")}</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/municipalities/${r.nis}`}>
                      {r.name} ({r.nis})
                    </a>
                  </td>
                  <td>
                    <ul class="plain">
                      {r.parts.map((p) => (
                        <li>
                          {p.name} ({p.nis}): {p.livc ?? t("reg.merger.no_livc")}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {r.decision ? (
                      r.decision.decision === "livc" ? (
                        r.decision.livc
                      ) : (
                        t("reg.form.decision.none")
                      )
                    ) : (
                      <>
                        <span class="tag">{t("reg.merger.open")}</span>{" "}
                        {props.canManage ? (
                          <a href={`/registry/mergers/${r.nis}`}>
                            {t("reg.merger.decide")}
                            <span class="visually-hidden"> ({r.name})</span>
                          </a>
                        ) : null}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Layout>
  );
}
