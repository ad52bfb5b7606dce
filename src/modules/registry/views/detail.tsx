import { ScrollRegion } from "../../../platform/web/fields";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { livcDetail, ReadinessItem } from "../service";

type Detail = NonNullable<Awaited<ReturnType<typeof livcDetail>>>;

function Readiness(props: { ctx: ViewContext; items: ReadinessItem[] }) {
  const { ctx } = props;
  const { t } = ctx;
  const value = (i: ReadinessItem) => {
    if (i.key === "partners") return t("reg.ready.partners.later", { count: Number(i.value ?? 0) });
    if (i.key === "last_consultation") return i.value ? ctx.date(String(i.value)) : t("reg.ready.last_consultation.later");
    if (i.key === "framework") return i.value ? ctx.date(String(i.value)) : "";
    return i.value ? String(i.value) : "";
  };
  return (
    <>
      <h2>{t("reg.ready.title")}</h2>
      <p>{t("reg.ready.intro")}</p>
      <ul class="checklist">
        {props.items.map((i) => (
          <li>
            <span class={i.done ? "tag green" : "tag grey"}>{t(i.done ? "reg.ready.done" : "reg.ready.todo")}</span> {t(`reg.ready.${i.key}`)}
            {value(i) ? <span class="hint"> — {value(i)}</span> : null}
          </li>
        ))}
      </ul>
    </>
  );
}

export function LivcDetailPage(props: { ctx: ViewContext; detail: Detail; canManage: boolean; canRecordFramework: boolean; saved: boolean }) {
  const { ctx, detail, canManage } = props;
  const { t } = ctx;
  const { livc } = detail;
  const base = `/registry/${livc.id}`;
  const personRow = (label: string, name: string | null, userId: string | null) => (
    <>
      <dt>{label}</dt>
      <dd>
        {name ?? t("reg.detail.unknown")}
        {userId ? <span class="tag grey">{t("reg.detail.has_account")}</span> : null}
      </dd>
    </>
  );
  return (
    <Layout ctx={ctx} title={livc.name}>
      <p>
        <a href="/registry">{t("reg.detail.back")}</a>
      </p>
      {props.saved ? (
        <p class="notice success" role="status">
          {t("reg.saved")}
        </p>
      ) : null}
      <h1>
        {livc.name} <span class="tag grey">{livc.code}</span>
      </h1>
      <dl class="summary">
        <dt>{t("reg.col.status")}</dt>
        <dd>{t(`reg.status.${detail.status ?? "none"}`)}</dd>
        <dt>{t("reg.col.type")}</dt>
        <dd>{t(detail.membersToday.length === 0 ? "reg.type.empty" : detail.membersToday.length === 1 ? "reg.type.own" : "reg.type.inter")}</dd>
        <dt>{t("reg.detail.founded")}</dt>
        <dd>{livc.founded_on ? ctx.date(livc.founded_on) : t("reg.detail.unknown")}</dd>
        <dt>{t("reg.detail.zones")}</dt>
        <dd>{detail.zones.join(", ") || t("reg.detail.unknown")}</dd>
        {personRow(t("reg.detail.chair"), livc.chair_name, livc.chair_user_id)}
        {personRow(t("reg.detail.coordinator"), livc.coordinator_name, livc.coordinator_user_id)}
        {personRow(t("reg.detail.info_officer"), livc.info_officer_name, livc.info_officer_user_id)}
      </dl>
      {canManage ? (
        <p>
          <a href={`${base}/edit`}>{t("reg.detail.edit")}</a>
        </p>
      ) : null}

      <Readiness ctx={ctx} items={detail.readiness} />

      <h2>{t("reg.detail.members")}</h2>
      <ScrollRegion label={t("reg.detail.members")}>
        <table>
          <caption class="visually-hidden">{t("reg.detail.members")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("reg.col.municipality")}</th>
              <th scope="col">{t("reg.col.joined")}</th>
              <th scope="col">{t("reg.col.left")}</th>
              {canManage ? <th scope="col">{t("reg.col.actions")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {detail.memberships.map((m) => (
              <tr>
                <td>
                  <a href={`/municipalities/${m.nis}`}>
                    {m.name} ({m.nis})
                  </a>
                </td>
                <td>{ctx.date(m.joined_on)}</td>
                <td>{m.left_on ? ctx.date(m.left_on) : t("reg.detail.open")}</td>
                {canManage ? (
                  <td>
                    <a href={`${base}/memberships/${m.id}/end`}>
                      {t("reg.detail.members.end")}
                      <span class="visually-hidden"> ({m.name})</span>
                    </a>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      {canManage ? (
        <p>
          <a href={`${base}/memberships/new`}>{t("reg.detail.members.add")}</a>
        </p>
      ) : null}

      <h2>{t("reg.detail.statuses")}</h2>
      <table>
        <caption class="visually-hidden">{t("reg.detail.statuses")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("reg.col.from")}</th>
            <th scope="col">{t("reg.form.status")}</th>
            <th scope="col">{t("reg.form.note")}</th>
          </tr>
        </thead>
        <tbody>
          {detail.statuses.map((s) => (
            <tr>
              <td>{ctx.date(s.from_on)}</td>
              <td>{t(`reg.status.${s.status}`)}</td>
              <td>{s.note ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canManage ? (
        <p>
          <a href={`${base}/status/new`}>{t("reg.detail.status.add")}</a>
        </p>
      ) : null}

      <h2>{t("reg.detail.frameworks")}</h2>
      {detail.frameworks.length === 0 ? <p>{t("reg.detail.frameworks.none")}</p> : null}
      {[...detail.frameworks].reverse().map((f) => (
        <section aria-labelledby={`fw-${f.version}`}>
          <h3 id={`fw-${f.version}`}>
            {t("reg.col.version")} {f.version} — {t("reg.col.adopted")} {ctx.date(f.adopted_on)}
          </h3>
          <dl class="summary">
            <dt>{t("reg.detail.participants")}</dt>
            <dd>{f.participants}</dd>
            <dt>{t("reg.detail.purpose")}</dt>
            <dd>{f.purpose}</dd>
            <dt>{t("reg.detail.arrangements")}</dt>
            <dd>{f.working_arrangements}</dd>
          </dl>
        </section>
      ))}
      {props.canRecordFramework ? (
        <p>
          <a href={`${base}/frameworks/new`}>{t("reg.detail.framework.add")}</a>
        </p>
      ) : null}
    </Layout>
  );
}
