import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { QueueItem } from "../screening";
import { Flags, k } from "./common";

export function QueueTable(props: { ctx: ViewContext; items: QueueItem[]; base: string; caption: string }) {
  const { ctx } = props;
  const { t } = ctx;
  if (props.items.length === 0) return <p>{t("intake.queue.none")}</p>;
  return (
    <div class="table-scroll">
      <table class="table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("intake.queue.reference")}</th>
            <th scope="col">{t("intake.queue.municipality")}</th>
            <th scope="col">{t("intake.queue.flags")}</th>
            <th scope="col">{t("intake.queue.status")}</th>
            <th scope="col">{t("intake.queue.age")}</th>
            <th scope="col">{t("intake.queue.due")}</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((i) => (
            <tr class={i.overdue ? "overdue" : undefined}>
              <td>
                <a href={`${props.base}/${i.id}`} aria-label={t("intake.queue.open", { reference: i.reference })}>
                  {i.reference}
                </a>
              </td>
              <td>{i.municipality}</td>
              <td>
                <Flags ctx={ctx} minor={i.minor} dangerNow={i.dangerNow} duplicate={i.possibleDuplicate} identityUnknown={!i.identityKnown} />
              </td>
              <td>{t(k(`intake.status.${i.status}`))}</td>
              <td>{ctx.num(i.ageWorkingDays)}</td>
              <td>
                {ctx.date(i.dueOn)} {i.overdue ? <span class="tag red">{t("intake.queue.overdue")}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function QueuePage(props: {
  ctx: ViewContext;
  queues: { livcId: string; name: string; items: QueueItem[] }[];
  regional: { items: QueueItem[] } | null;
  alerts: { id: string; kind: string; report_id: string; reference: string }[];
  regionalOnly?: boolean;
}) {
  const { ctx } = props;
  const { t } = ctx;
  const title = props.regionalOnly ? t("intake.queue.regional") : t("intake.queue.title");
  return (
    <Layout ctx={ctx} title={title} wide>
      <h1>{title}</h1>
      <p class="lead">{t("intake.queue.lead")}</p>
      {props.alerts.length > 0 ? (
        <div class="notice warning" role="alert">
          <h2>{t("intake.queue.alerts")}</h2>
          <ul>
            {props.alerts.map((a) => (
              <li>
                <a href={`${props.regionalOnly ? "/screening/regional" : "/screening"}/${a.report_id}`}>{t(k(`intake.queue.alert.${a.kind}`), { reference: a.reference })}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {props.queues.map((q) => (
        <section aria-labelledby={`q-${q.livcId}`}>
          <h2 id={`q-${q.livcId}`}>{q.name}</h2>
          <QueueTable ctx={ctx} items={q.items} base="/screening" caption={q.name} />
        </section>
      ))}
      {props.regional ? (
        <section aria-labelledby="q-regional">
          {props.regionalOnly ? null : <h2 id="q-regional">{t("intake.queue.regional")}</h2>}
          <QueueTable ctx={ctx} items={props.regional.items} base="/screening/regional" caption={t("intake.queue.regional")} />
        </section>
      ) : null}
    </Layout>
  );
}
