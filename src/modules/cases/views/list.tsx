import type { MessageKey } from "../../../platform/i18n";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { CaseListItem } from "../service";
import { Csrf, Input } from "./fields";

export interface WorkList {
  overdueLead: { actionId: string; caseId: string; label: string; owner: string; dueOn: string }[];
  overdueOwner: { actionId: string; caseId: string; label: string; owner: string; dueOn: string }[];
  reviews: { caseId: string; label: string; months: number; dueOn: string }[];
  showLead: boolean;
}

export const statusKey = (s: string) => `case.status.${s}` as MessageKey;

export interface CaseListPage {
  items: CaseListItem[];
  total: number;
  page: number;
  pages: number;
}

export function CasesPage(props: { ctx: ViewContext; list: CaseListPage; query: { q: string; name: string; dob: string }; personSearch: boolean; work: WorkList; exportHref: string }) {
  const { ctx, list, work } = props;
  const items = list.items;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("case.list.title")} wide>
      <h1>{t("case.list.title")}</h1>
      <p class="lead">{t("case.list.intro")}</p>
      <section aria-labelledby="work-title">
        <h2 id="work-title">{t("case.work.title")}</h2>
        {work.showLead ? (
          <>
            <h3>{t("case.work.overdue_lead")}</h3>
            <Overdue ctx={ctx} rows={work.overdueLead} />
            <h3>{t("case.work.reviews")}</h3>
            {work.reviews.length === 0 ? (
              <p>{t("case.work.none")}</p>
            ) : (
              <ul>
                {work.reviews.map((r) => (
                  <li>
                    <a href={`/cases/${r.caseId}`}>{r.label}</a>: {t("case.work.months", { months: r.months, date: ctx.date(r.dueOn) })}
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : null}
        <h3>{t("case.work.overdue_owner")}</h3>
        <Overdue ctx={ctx} rows={work.overdueOwner} />
      </section>
      <section aria-labelledby="search-title">
        <h2 id="search-title">{t("case.search.title")}</h2>
        <form method="get" action="/cases" class="search-form">
          <Input id="q" label={t("case.search.q")} value={props.query.q} maxLength={64} />
          <button type="submit" class="button">
            {t("case.search.submit")}
          </button>
        </form>
        {props.personSearch ? (
          <form method="post" action="/cases/search" class="search-form">
            <Csrf ctx={ctx} />
            <Input id="name" label={t("case.search.name")} value={props.query.name} maxLength={200} autocomplete="off" />
            <Input id="dob" label={t("case.search.dob")} hint={t("case.search.dob.hint")} value={props.query.dob} autocomplete="off" />
            <button type="submit" class="button">
              {t("case.search.person")}
            </button>
          </form>
        ) : null}
      </section>
      <p>
        <a href={props.exportHref}>{t("case.export.csv")}</a>
      </p>
      {items.length === 0 ? (
        <p>{t("case.list.empty")}</p>
      ) : (
        <>
        <p id="case-count">{t("case.list.count", { total: ctx.num(list.total), page: list.page, pages: list.pages })}</p>
        <div class="table-scroll">
          <table class="table">
            <caption class="visually-hidden">{t("case.list.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("case.col.label")}</th>
                <th scope="col">{t("case.col.status")}</th>
                <th scope="col">{t("case.col.opened")}</th>
                <th scope="col">{t("case.col.closed")}</th>
                <th scope="col">{t("case.col.review")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr>
                  <td>
                    <a href={`/cases/${c.id}`}>{c.label}</a>
                  </td>
                  <td>{t(statusKey(c.status))}</td>
                  <td>{ctx.date(c.openedOn)}</td>
                  <td>{c.closedOn ? ctx.date(c.closedOn) : ""}</td>
                  <td>{c.nextReviewOn ? ctx.date(c.nextReviewOn) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pages ctx={ctx} list={list} query={props.query} />
        </>
      )}
    </Layout>
  );
}

function Overdue(props: { ctx: ViewContext; rows: WorkList["overdueLead"] }) {
  const { t } = props.ctx;
  if (props.rows.length === 0) return <p>{t("case.work.none")}</p>;
  return (
    <ul>
      {props.rows.map((r) => (
        <li>
          <a href={`/cases/${r.caseId}`}>{r.label}</a>: {r.owner}, {t("case.work.due", { date: props.ctx.date(r.dueOn) })}
        </li>
      ))}
    </ul>
  );
}

/** Previous/next links that keep the search; plain links, so they work without JavaScript. */
function Pages(props: { ctx: ViewContext; list: CaseListPage; query: { q: string; name: string; dob: string } }) {
  const { t } = props.ctx;
  const { page, pages } = props.list;
  if (pages <= 1) return null;
  const href = (p: number) => {
    // Only the label search travels in the link: a person search (POST) has a single page.
    const params = new URLSearchParams(props.query.q ? { q: props.query.q } : {});
    params.set("page", String(p));
    return `/cases?${params}`;
  };
  return (
    <nav aria-label={t("case.list.pages")}>
      <ul class="pagination">
        {page > 1 ? (
          <li>
            <a href={href(page - 1)} rel="prev">
              {t("case.list.prev")}
            </a>
          </li>
        ) : null}
        {page < pages ? (
          <li>
            <a href={href(page + 1)} rel="next">
              {t("case.list.next")}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
