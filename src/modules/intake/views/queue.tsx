import { ScrollRegion } from "../../../platform/web/fields";
import { Layout } from "../../../platform/web/layout";
import { Pagination } from "../../../platform/web/pagination";
import type { ViewContext } from "../../../platform/web/view";
import type { LivcQueue, QueueFilter, QueueItem, QueueList } from "../screening";
import { Flags, k } from "./common";

/** Builds a queue link; only what differs from the default travels (plain links: no JavaScript needed). */
type Href = (q: { filter?: QueueFilter; page?: number; livc?: string }) => string;

function hrefFor(base: string, current: { filter: QueueFilter; livc?: string }): Href {
  return (q) => {
    const params = new URLSearchParams();
    const livc = q.livc ?? current.livc;
    if (livc) params.set("livc", livc);
    const filter = q.filter ?? current.filter;
    if (filter !== "open") params.set("status", filter);
    if (q.page && q.page > 1) params.set("page", String(q.page));
    const query = params.toString();
    return query ? `${base}?${query}` : base;
  };
}

export function QueueTable(props: { ctx: ViewContext; list: QueueList; base: string; caption: string }) {
  const { ctx, list } = props;
  const { t } = ctx;
  const decided = list.filter === "decided";
  if (list.items.length === 0) return <p>{t(decided ? "intake.queue.none_decided" : "intake.queue.none")}</p>;
  return (
    <ScrollRegion label={props.caption}>
      <table class="table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("intake.queue.reference")}</th>
            <th scope="col">{t("intake.queue.municipality")}</th>
            <th scope="col">{t("intake.queue.flags")}</th>
            <th scope="col">{t("intake.queue.status")}</th>
            {decided ? (
              <>
                <th scope="col">{t("intake.queue.submitted")}</th>
                <th scope="col">{t("intake.queue.decided_on")}</th>
              </>
            ) : (
              <>
                <th scope="col">{t("intake.queue.age")}</th>
                <th scope="col">{t("intake.queue.due")}</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {list.items.map((i: QueueItem) => (
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
              {decided ? (
                <>
                  <td>{ctx.date(i.submittedAt.slice(0, 10) || null)}</td>
                  <td>{ctx.date(i.decidedAt ? i.decidedAt.slice(0, 10) : null)}</td>
                </>
              ) : (
                <>
                  <td>{ctx.num(i.ageWorkingDays)}</td>
                  <td>
                    {ctx.date(i.dueOn)} {i.overdue ? <span class="tag red">{t("intake.queue.overdue")}</span> : null}
                  </td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

/** Open / decided, with their totals; the current one marked for assistive technology. */
function Filters(props: { ctx: ViewContext; list: QueueList; href: Href }) {
  const { t, num } = props.ctx;
  return (
    <nav aria-label={t("intake.queue.filter")}>
      <ul class="pagination">
        {(["open", "decided"] as const).map((f) => (
          <li>
            <a href={props.href({ filter: f })} aria-current={props.list.filter === f ? "page" : undefined}>
              {t(f === "open" ? "intake.queue.filter.open" : "intake.queue.filter.decided", { count: num(props.list.counts[f]) })}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Filter tabs, position, one page of the table, previous/next. */
function QueueBody(props: { ctx: ViewContext; list: QueueList; base: string; caption: string; livc?: string }) {
  const { ctx, list } = props;
  const { t, num } = ctx;
  const href = hrefFor(props.base, { filter: list.filter, livc: props.livc });
  return (
    <>
      <Filters ctx={ctx} list={list} href={href} />
      <p>
        {t(list.filter === "open" ? "intake.queue.order.open" : "intake.queue.order.decided")}{" "}
        {list.total > 0 ? t("intake.queue.range", { from: num(list.from), to: num(list.from + list.items.length - 1), total: num(list.total) }) : null}
      </p>
      <QueueTable ctx={ctx} list={list} base={props.base} caption={props.caption} />
      <Pagination ctx={ctx} page={list.page} pages={list.pages} href={(page) => href({ page })} label={t("intake.queue.pages")} />
    </>
  );
}

export function QueuePage(props: {
  ctx: ViewContext;
  /** The LIVC queue (on /screening), or null for the regional page / someone without an LIVC queue. */
  livc: LivcQueue | null;
  /** The regional queue (on /screening/regional). */
  regional: QueueList | null;
  /** Open reports in the regional queue, for the link from /screening (null: no regional contact). */
  regionalOpen: number | null;
  alerts: { items: { id: string; kind: string; report_id: string; reference: string }[]; total: number; capped: boolean };
  regionalOnly?: boolean;
  /** The shown LIVC's closing-days page, when this person manages them (chair, coordinator, administrator). */
  closingDaysHref?: string;
  /** Name of the LIVC a report was just handed over to (decision 0062). */
  passedTo?: string;
}) {
  const { ctx, livc } = props;
  const { t, num } = ctx;
  const title = props.regionalOnly ? t("intake.queue.regional") : t("intake.queue.title");
  const base = props.regionalOnly ? "/screening/regional" : "/screening";
  const several = livc && livc.livcs.length > 1;
  return (
    <Layout ctx={ctx} title={title} wide>
      {props.passedTo ? (
        <p class="notice success" role="status">
          {t("scase.handover.done", { livc: props.passedTo })}
        </p>
      ) : null}
      <h1>{title}</h1>
      <p class="lead">{t("intake.queue.lead")}</p>
      {props.alerts.items.length > 0 ? (
        <section class="notice warning" aria-labelledby="queue-alerts">
          <h2 id="queue-alerts">{t("intake.queue.alerts")}</h2>
          <ul>
            {props.alerts.items.map((a) => (
              <li>
                <a href={`${base}/${a.report_id}`}>{t(k(`intake.queue.alert.${a.kind}`), { reference: a.reference })}</a>
              </li>
            ))}
          </ul>
          {props.alerts.capped ? (
            <p>{t("intake.queue.alerts_many", { count: num(props.alerts.total - props.alerts.items.length) })}</p>
          ) : props.alerts.total > props.alerts.items.length ? (
            <p>{t("intake.queue.alerts_more", { count: num(props.alerts.total - props.alerts.items.length) })}</p>
          ) : null}
        </section>
      ) : null}
      {several ? (
        <nav aria-label={t("intake.queue.livcs")}>
          <ul>
            {livc.livcs.map((l) => (
              <li>
                <a href={hrefFor(base, { filter: "open" })({ livc: l.livcId })} aria-current={l.livcId === livc.livcId ? "page" : undefined}>
                  {t("intake.queue.livc_open", { name: l.name, count: num(l.open ?? 0) })}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {livc ? (
        <section aria-labelledby="q-livc">
          <h2 id="q-livc">{livc.name}</h2>
          <QueueBody ctx={ctx} list={livc.list} base="/screening" caption={livc.name} livc={several ? livc.livcId : undefined} />
          {props.closingDaysHref ? (
            <p>
              <a href={props.closingDaysHref}>{t("cd.link")}</a>
            </p>
          ) : null}
        </section>
      ) : null}
      {props.regional ? (
        <section aria-label={t("intake.queue.regional")}>
          <QueueBody ctx={ctx} list={props.regional} base="/screening/regional" caption={t("intake.queue.regional")} />
        </section>
      ) : null}
      {!props.regionalOnly && props.regionalOpen !== null ? (
        <section aria-labelledby="q-regional">
          <h2 id="q-regional">{t("intake.queue.regional")}</h2>
          <p>
            <a href="/screening/regional">{t("intake.queue.regional_link", { count: num(props.regionalOpen) })}</a>
          </p>
        </section>
      ) : null}
    </Layout>
  );
}
