import type { MessageKey } from "../../../platform/i18n";
import { Layout } from "../../../platform/web/layout";
import { Pagination } from "../../../platform/web/pagination";
import type { ViewContext } from "../../../platform/web/view";
import { ScrollRegion } from "../../../platform/web/fields";
import type { CasePurgeLogRow, RetentionOverviewRow } from "../retention-overview";
import type { ReportPurgeLogRow } from "../../intake/retention-overview";
import { extend } from "../../../platform/objects";

const KNOWN_KINDS = new Set([
  "identity", "subject_index", "closure_note", "report_link", "timeline_notes", "action_descriptions", "feedback_forms", "report", "minutes_decisions", "report_content", "case_link", "decision_reasons", "supplements",
]);

/** The report purge causes named in words (decisions 0019, 0048, 0053); a later one shows its code. */
const REPORT_CAUSES = new Set(["retention_end", "case_purged", "withdrawn_wrong_person", "not_taken_up_end", "draft_expired", "draft_discarded"]);

/** What a purge removed, as "kind: count" (kinds a later module adds are shown by their code). */
export function removedText(t: ViewContext["t"], removed: Record<string, number>): string {
  const parts = Object.entries(removed)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${KNOWN_KINDS.has(kind) ? t(`ret.kind.${kind}` as MessageKey) : kind}: ${n}`);
  return parts.length ? parts.join(", ") : t("ret.nothing");
}

interface Paged<R> {
  rows: R[];
  total: number;
  page: number;
  pages: number;
}

/** The DPO's retention page: counts per LIVC, then the two purge logs, each newest first and paged. */
export function RetentionPage(props: {
  ctx: ViewContext;
  overview: { today: string; rows: RetentionOverviewRow[] };
  cases: Paged<CasePurgeLogRow>;
  reports: Paged<ReportPurgeLogRow>;
  livcNames: Map<string, string>;
  /** When the daily jobs (the purge among them) last ended, Brussels time, and when they run. */
  jobs: { lastRun: { date: string; time: string; failed: string[] } | null; dailyAt: string };
  params: { cp: number; rp: number };
}) {
  const { ctx, overview, cases, reports } = props;
  const { t, num } = ctx;
  const livc = (id: string | null) => (id ? (props.livcNames.get(id) ?? id) : t("ret.regional"));
  // Each log pages on its own (cp: cases, rp: reports); the other log's page is kept.
  const href = (which: "cp" | "rp") => (page: number) => {
    const p = extend(props.params, { [which]: page });
    return `/retention?cp=${p.cp}&rp=${p.rp}#${which === "cp" ? "cases" : "reports"}`;
  };
  return (
    <Layout ctx={ctx} title={t("ret.title")} wide>
      <h1>{t("ret.title")}</h1>
      <p>{t("ret.intro")}</p>
      <JobsRun ctx={ctx} jobs={props.jobs} />

      <h2 id="overview">{t("ret.overview.title")}</h2>
      <p>{t("ret.overview.intro", { date: ctx.date(overview.today) })}</p>
      {overview.rows.length === 0 ? (
        <p>{t("ret.overview.none")}</p>
      ) : (
        <ScrollRegion label={t("ret.overview.title")}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t("ret.col.livc")}</th>
                <th scope="col">{t("ret.col.cases30")}</th>
                <th scope="col">{t("ret.col.cases90")}</th>
                <th scope="col">{t("ret.col.held")}</th>
                <th scope="col">{t("ret.col.reports30")}</th>
                <th scope="col">{t("ret.col.reports90")}</th>
              </tr>
            </thead>
            <tbody>
              {overview.rows.map((r) => (
                <tr>
                  <th scope="row">{r.livcName ?? t("ret.regional")}</th>
                  <td>{num(r.cases30)}</td>
                  <td>{num(r.cases90)}</td>
                  <td>{num(r.held)}</td>
                  <td>{num(r.reports30)}</td>
                  <td>{num(r.reports90)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}

      <h2 id="cases">{t("ret.cases.title")}</h2>
      {cases.rows.length === 0 ? (
        <p>{t("ret.empty")}</p>
      ) : (
        <ScrollRegion label={t("ret.cases.title")}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t("ret.col.purged_at")}</th>
                <th scope="col">{t("ret.col.case")}</th>
                <th scope="col">{t("ret.col.livc")}</th>
                <th scope="col">{t("ret.col.retention")}</th>
                <th scope="col">{t("ret.col.removed")}</th>
              </tr>
            </thead>
            <tbody>
              {cases.rows.map((r) => (
                <tr>
                  <td>{ctx.date(r.purgedAt)}</td>
                  <td>{r.label}</td>
                  <td>{livc(r.livcId)}</td>
                  <td>{ctx.date(r.retentionUntil)}</td>
                  <td>{removedText(t, r.removed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <p>{t("ret.page", { page: num(cases.page), pages: num(cases.pages), total: num(cases.total) })}</p>
      <Pagination ctx={ctx} page={cases.page} pages={cases.pages} href={href("cp")} label={t("ret.cases.title")} />

      <h2 id="reports">{t("ret.reports.title")}</h2>
      {reports.rows.length === 0 ? (
        <p>{t("ret.empty")}</p>
      ) : (
        <ScrollRegion label={t("ret.reports.title")}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t("ret.col.purged_at")}</th>
                <th scope="col">{t("ret.col.report")}</th>
                <th scope="col">{t("ret.col.livc")}</th>
                <th scope="col">{t("ret.col.retention")}</th>
                <th scope="col">{t("ret.col.cause")}</th>
                <th scope="col">{t("ret.col.removed")}</th>
              </tr>
            </thead>
            <tbody>
              {reports.rows.map((r) => (
                <tr>
                  <td>{ctx.date(r.purgedAt)}</td>
                  <td>{r.reference}</td>
                  <td>{r.cause.startsWith("draft_") ? t("ret.draft") : livc(r.livcId)}</td>
                  <td>{r.retentionUntil ? ctx.date(r.retentionUntil) : ""}</td>
                  <td>{REPORT_CAUSES.has(r.cause) ? t(`ret.cause.${r.cause}` as MessageKey) : r.cause}</td>
                  <td>{removedText(t, r.removed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <p>{t("ret.page", { page: num(reports.page), pages: num(reports.pages), total: num(reports.total) })}</p>
      <Pagination ctx={ctx} page={reports.page} pages={reports.pages} href={href("rp")} label={t("ret.reports.title")} />
    </Layout>
  );
}

/** Proof that the purge runs: the daily jobs' last run, and a warning when one of them failed. */
function JobsRun({ ctx, jobs }: { ctx: ViewContext; jobs: { lastRun: { date: string; time: string; failed: string[] } | null; dailyAt: string } }) {
  const { t } = ctx;
  const schedule = t("ret.jobs.schedule", { time: jobs.dailyAt });
  if (!jobs.lastRun) return <p id="daily-jobs">{t("ret.jobs.never")} {schedule}</p>;
  const { date, time, failed } = jobs.lastRun;
  if (failed.length === 0) return <p id="daily-jobs">{t("ret.jobs.last", { date: ctx.date(date), time })} {schedule}</p>;
  return (
    <div id="daily-jobs" class="notice warning" role="status">
      <p>
        {t("ret.jobs.last", { date: ctx.date(date), time })} {t("ret.jobs.failed", { modules: failed.join(", ") })}
      </p>
      <p>{schedule}</p>
    </div>
  );
}
