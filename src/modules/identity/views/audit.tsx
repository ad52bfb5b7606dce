import { ScrollRegion } from "../../../platform/web/fields";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";

export function WhoSawPage(props: { ctx: ViewContext; resourceType: string; entries: { seq: number; at: string; display_name: string | null; actor_role: string | null; action: string; outcome: string }[] }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.whosaw.title")}>
      <h1>{t("id.whosaw.title")}</h1>
      <p class="lead">{t("id.whosaw.intro")}</p>
      <ScrollRegion label={t("id.whosaw.title")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("id.whosaw.when")}</th>
              <th scope="col">{t("id.whosaw.who")}</th>
              <th scope="col">{t("id.whosaw.role")}</th>
              <th scope="col">{t("id.whosaw.action")}</th>
              <th scope="col">{t("id.whosaw.outcome")}</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((e) => (
              <tr>
                <td>{ctx.date(e.at)}</td>
                <td>{e.display_name ?? "-"}</td>
                <td>{e.actor_role ?? "-"}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </Layout>
  );
}
