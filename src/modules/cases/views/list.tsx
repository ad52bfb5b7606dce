import type { MessageKey } from "../../../platform/i18n";
import { Layout } from "../../../platform/web/layout";
import { Pagination, pageHref } from "../../../platform/web/pagination";
import type { ViewContext } from "../../../platform/web/view";
import { ScrollRegion, SelectField } from "../../../platform/web/fields";
import { keptFragment } from "../../../platform/web/fragments";
import { type CaseListItem, LIST_STATUS_CHOICES, type ListStatusChoice, REVIEW_CHOICES, type ReviewChoice } from "../service";
import { Csrf, Input } from "./fields";

export interface WorkList {
  overdueLead: { actionId: string; caseId: string; label: string; owner: string; dueOn: string }[];
  overdueOwner: { actionId: string; caseId: string; label: string; owner: string; dueOn: string }[];
  /** Every open action of the person's own organisations, overdue or not (decision 0061). */
  openOwner?: { actionId: string; caseId: string; label: string; owner: string; dueOn: string; overdue: boolean }[];
  reviews: { caseId: string; label: string; months: number; dueOn: string }[];
  showLead: boolean;
  /** On the case list only the most urgent items are shown; true when a list has more (see /cases/work). */
  more?: boolean;
}

/** Items of each work list shown above the case list; the whole lists are on /cases/work. */
export const WORK_PREVIEW = 10;

export const statusKey = (s: string) => `case.status.${s}` as MessageKey;

export interface CaseListPage {
  items: CaseListItem[];
  total: number;
  page: number;
  pages: number;
}

export interface CasesMainProps {
  list: CaseListPage;
  query: { q: string; name: string; dob: string; status?: ListStatusChoice; review?: ReviewChoice };
  personSearch: boolean;
  work: WorkList;
  exportHref: string;
}

/**
 * The case list page. Its content (CasesMain) is either rendered here or, on a list kept by the list memo,
 * rendered once and sent around this request's layout and CSRF token (mainHtml: cases/list-page.ts).
 */
export function CasesPage(props: CasesMainProps & { ctx: ViewContext; mainHtml?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t("case.list.title")} wide>
      {props.mainHtml !== undefined ? <div dangerouslySetInnerHTML={{ __html: props.mainHtml }} /> : <div>
          <CasesMain {...props} />
        </div>}
    </Layout>
  );
}

/** Everything inside <main>: from its props and the language only (it may be rendered once for many views). */
export function CasesMain(props: CasesMainProps & { ctx: ViewContext }) {
  const { ctx, list, work } = props;
  // Paging keeps the label search and the filters (none of them personal data).
  const params = { q: props.query.q, status: props.query.status, review: props.query.review };
  const items = list.items;
  const { t } = ctx;
  return (
    <>
      <h1>{t("case.list.title")}</h1>
      <p class="lead">{t("case.list.intro")}</p>
      <WorkSection ctx={ctx} work={work} />
      <section aria-labelledby="search-title">
        <h2 id="search-title">{t("case.search.title")}</h2>
        <form method="get" action="/cases" class="search-form">
          <Input id="q" label={t("case.search.q")} value={props.query.q} maxLength={64} />
          <SelectField
            id="status"
            label={t("case.filter.status")}
            value={props.query.status ?? ""}
            placeholder={t("case.filter.status.all")}
            options={LIST_STATUS_CHOICES.map((c) => ({ value: c, label: c === "open" ? t("case.filter.status.open") : t(statusKey(c)) }))}
          />
          <SelectField
            id="review"
            label={t("case.filter.review")}
            value={props.query.review ?? ""}
            placeholder={t("case.filter.review.any")}
            options={REVIEW_CHOICES.map((c) => ({ value: c, label: t(`case.filter.review.${c}` as MessageKey) }))}
          />
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
        <ScrollRegion label={t("case.list.title")}>
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
            {/* The rows, rendered once for the same rows in the same language (platform/web/fragments.ts). */}
            <tbody dangerouslySetInnerHTML={{ __html: keptFragment("cases.rows", ctx, items, CaseRows) }} />
          </table>
        </ScrollRegion>
        <Pagination ctx={ctx} page={list.page} pages={list.pages} href={(p) => pageHref("/cases", params, p)} label={t("case.list.pages")} />
        </>
      )}
    </>
  );
}

/** The case list's rows: from the items and the language only (a kept fragment). */
function CaseRows(ctx: ViewContext, items: CaseListItem[]) {
  const { t } = ctx;
  return (
    <>
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
    </>
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

function WorkSection(props: { ctx: ViewContext; work: WorkList; full?: boolean }) {
  const { ctx, work, full } = props;
  const { t } = ctx;
  // On the work list page the section is the page (h1); above the case list it is one section (h2).
  const Title = full ? "h1" : "h2";
  const Sub = full ? "h2" : "h3";
  return (
    <section aria-labelledby="work-title">
      <Title id="work-title">{t("case.work.title")}</Title>
      {work.showLead ? (
        <>
          <Sub>{t("case.work.overdue_lead")}</Sub>
          <Overdue ctx={ctx} rows={work.overdueLead} />
          <Sub>{t("case.work.reviews")}</Sub>
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
      <Sub>{t("case.work.overdue_owner")}</Sub>
      <Overdue ctx={ctx} rows={work.overdueOwner} />
      {work.openOwner ? (
        <>
          <Sub id="open-owner">{t("case.work.open_owner")}</Sub>
          {work.openOwner.length === 0 ? (
            <p>{t("case.work.open_none")}</p>
          ) : (
            <ul>
              {work.openOwner.map((r) => (
                <li>
                  <a href={`/cases/${r.caseId}`}>{r.label}</a>: {r.owner}, {t("case.work.due", { date: ctx.date(r.dueOn) })} {r.overdue ? <span class="tag red">{t("case.plan.overdue")}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
      {work.more && !full ? (
        <p>
          <a href="/cases/work">{t("case.work.all")}</a>
        </p>
      ) : null}
    </section>
  );
}

/** The whole work list: every overdue action and every review due. */
export function WorkPage(props: { ctx: ViewContext; work: WorkList }) {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t("case.work.title")}>
      <p>
        <a href="/cases">{t("case.list.title")}</a>
      </p>
      <WorkSection ctx={props.ctx} work={props.work} full />
    </Layout>
  );
}
