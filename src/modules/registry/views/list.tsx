import { ScrollRegion } from "../../../platform/web/fields";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { LifeStatus } from "../service";

export interface LivcListRow { id: string; code: string; name: string; status: LifeStatus | null; members: number }

export function LivcListPage(props: { ctx: ViewContext; rows: LivcListRow[]; canManage: boolean; canManageObstacles: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("reg.title")}>
      <h1>{t("reg.title")}</h1>
      <p class="lead">{t("reg.intro")}</p>
      {props.canManage || props.canManageObstacles ? (
        <ul class="actions">
          {props.canManage ? (
            <>
              <li>
                <a href="/registry/new">{t("reg.new")}</a>
              </li>
              <li>
                <a href="/registry/mergers">{t("reg.mergers")}</a>
              </li>
            </>
          ) : null}
          {props.canManageObstacles ? (
            <>
              <li>
                <a href="/registry/obstacles/new">{t("reg.obstacle.new")}</a>
              </li>
              <li>
                <a href="/registry/obstacles">{t("reg.obst.link")}</a>
              </li>
            </>
          ) : null}
        </ul>
      ) : null}
      {props.rows.length === 0 ? (
        <p>{t("reg.none")}</p>
      ) : (
        <ScrollRegion label={t("reg.title")}>
          <table>
            <caption class="visually-hidden">{t("reg.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("reg.col.code")}</th>
                <th scope="col">{t("reg.col.name")}</th>
                <th scope="col">{t("reg.col.status")}</th>
                <th scope="col">{t("reg.col.type")}</th>
                <th scope="col">{t("reg.col.members")}</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>{r.code}</td>
                  <td>
                    <a href={`/registry/${r.id}`}>{r.name}</a>
                  </td>
                  <td>{t(`reg.status.${r.status ?? "none"}`)}</td>
                  <td>{t(r.members === 0 ? "reg.type.empty" : r.members === 1 ? "reg.type.own" : "reg.type.inter")}</td>
                  <td>{ctx.num(r.members)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Layout>
  );
}
