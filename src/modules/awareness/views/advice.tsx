import { ScrollRegion } from "../../../platform/web/fields";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { sectorLabel } from "../../identity/sectors";
import type { Advice } from "../advice";
import { objectionLabelKey, shownText, suppress, talkingPointKey } from "../objections";
import { Csrf, Input } from "./form";

export function AdviceListPage(props: { ctx: ViewContext; campaign: { id: string; name: string }; advice: readonly Advice[]; sent: Map<string, string>; date: string }) {
  const { ctx, campaign, advice, sent } = props;
  const { t } = ctx;
  const base = `/awareness/campaigns/${campaign.id}`;
  return (
    <Layout ctx={ctx} title={`${t("aw.advice.list")}: ${campaign.name}`} wide>
      <p>
        <a href={base}>{t("aw.back")}</a>
      </p>
      <h1>{t("aw.advice.list")}</h1>
      <p>
        {t("aw.advice.list.intro")} {t("aw.advice.ordering")}
      </p>
      <form method="post" action={`${base}/advice/jobs`}>
        <Csrf ctx={ctx} />
        <h2>{t("aw.advice.archive")}</h2>
        <button type="submit" class="secondary">{t("aw.advice.archive.start")}</button>
      </form>
      <ScrollRegion label={t("aw.advice.list")}>
        <table>
          <caption>{t("aw.advice.list")}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("aw.advice.col.municipality")}</th>
              <th scope="col">{t("aw.advice.col.livc")}</th>
              <th scope="col">{t("aw.advice.col.missing")}</th>
              <th scope="col">{t("aw.advice.col.sent")}</th>
            </tr>
          </thead>
          <tbody>
            {advice.map((a) => (
              <tr>
                <td>{a.position}</td>
                <th scope="row">
                  <a href={`${base}/advice/${a.government.nis}`}>{a.government.name}</a>
                </th>
                <td>{a.government.livcId ? <a href={`${base}/advice/livc/${a.government.livcId}`}>{a.government.livcName ?? "-"}</a> : "-"}</td>
                <td>{a.missing.map((m) => sectorLabel(m.sector, ctx.locale)).join(", ") || "-"}</td>
                <td>{sent.has(a.government.nis) ? ctx.date(sent.get(a.government.nis)!) : t("aw.advice.not_sent")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </Layout>
  );
}

export function AdvicePage(props: { ctx: ViewContext; campaign: { id: string; name: string }; advice: Advice; of: number; sentOn: string | null; today: string; error?: string }) {
  const { ctx, campaign, advice, of } = props;
  const { t } = ctx;
  const g = advice.government;
  const a = advice.activity;
  const base = `/awareness/campaigns/${campaign.id}/advice/${g.nis}`;
  return (
    <Layout ctx={ctx} title={`${t("aw.advice.title")}: ${g.name}`} wide>
      <p>
        <a href={`/awareness/campaigns/${campaign.id}/advice`}>{t("aw.advice.list")}</a>
      </p>
      <h1>
        {t("aw.advice.title")}: {g.name}
      </h1>
      <p>
        <a class="button" href={`${base}/pdf`} download>
          {t("aw.advice.pdf")}
        </a>
      </p>
      <p>{t("aw.advice.intro")}</p>
      <h2>{t("aw.advice.facts")}</h2>
      <ul>
        <li>{g.livcName ? t("aw.advice.livc", { name: g.livcName }) : t("aw.advice.no_livc")}</li>
        <li>{t("aw.advice.consultations", { n: a.consultations })}</li>
        <li>{t("aw.advice.partner_sectors", { n: a.partnerSectors })}</li>
        {a.readinessTotal > 0 ? <li>{t("aw.advice.readiness", { done: a.readinessDone, total: a.readinessTotal })}</li> : null}
        <li>{t("aw.advice.position", { position: advice.position, of })}</li>
      </ul>
      <p class="hint">{t("aw.advice.ordering")}</p>
      <h2>{t("aw.advice.missing")}</h2>
      {advice.missing.length === 0 ? (
        <p>{t("aw.advice.none_missing")}</p>
      ) : (
        <ScrollRegion label={t("aw.advice.missing")}>
          <table>
            <caption class="visually-hidden">{t("aw.advice.missing")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("aw.advice.col.sector")}</th>
                <th scope="col">{t("aw.advice.col.objections")}</th>
              </tr>
            </thead>
            <tbody>
              {advice.missing.map((m) => (
                <tr>
                  <th scope="row">{sectorLabel(m.sector, ctx.locale)}</th>
                  <td>
                    {m.objections.length === 0
                      ? t("aw.advice.no_objections")
                      : m.objections.map((o) => `${t(objectionLabelKey(o.objection))} (${t("aw.advice.organisations", { n: shownText(suppress(o.organisations), ctx.num) })})`).join("; ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {advice.talkingPoints.length > 0 ? (
        <>
          <h2>{t("aw.advice.talking_points")}</h2>
          {advice.talkingPoints.map((o) => (
            <section>
              <h3>{t(objectionLabelKey(o))}</h3>
              <p>{t(talkingPointKey(o))}</p>
            </section>
          ))}
        </>
      ) : null}
      <h2>{t("aw.advice.col.sent")}</h2>
      <p id="sent-status">{props.sentOn ? `${t("aw.advice.sent_on")} ${ctx.date(props.sentOn)}` : t("aw.advice.not_sent")}</p>
      <form method="post" action={`${base}/sent`} novalidate>
        <Csrf ctx={ctx} />
        <Input id="sent_on" type="date" label={t("aw.advice.sent_on")} value={props.today} error={props.error} />
        <button type="submit" class="secondary">{t("aw.advice.mark_sent")}</button>
      </form>
    </Layout>
  );
}

/** A job as the progress page shows it; `available`: its ZIP can be downloaded (stored, not yet dropped). */
export interface JobView { id: string; campaign_id: string; status: string; done: number; total: number; error: string | null; available: boolean }

export function JobStatus({ ctx, job }: { ctx: ViewContext; job: JobView }) {
  const { t } = ctx;
  const running = job.status === "running";
  const again = (
    <p>
      <a href={`/awareness/campaigns/${job.campaign_id}/advice`}>{t("aw.job.again")}</a>
    </p>
  );
  return (
    <div id="job-status" aria-live="polite" {...(running ? { "hx-get": `/awareness/jobs/${job.id}/status`, "hx-trigger": "every 2s", "hx-swap": "outerHTML" } : {})}>
      {job.status === "done" ? (
        <>
          <p>{t("aw.job.done", { total: job.total })}</p>
          {job.available ? (
            <p>
              <a class="button" href={`/awareness/jobs/${job.id}/download`} download>
                {t("aw.job.download")}
              </a>
            </p>
          ) : (
            <>
              <p>{t("aw.job.expired")}</p>
              {again}
            </>
          )}
        </>
      ) : job.status === "failed" ? (
        <>
          <p>{t(job.error === "interrupted" ? "aw.job.interrupted" : job.error === "too_large" ? "aw.job.too_large" : "aw.job.failed")}</p>
          {again}
        </>
      ) : (
        <>
          <p>{t("aw.job.running", { done: job.done, total: job.total })}</p>
          <progress max={Math.max(job.total, 1)} value={job.done} aria-label={t("aw.job.title")} />
          <p>
            <a href={`/awareness/jobs/${job.id}`}>{t("aw.job.refresh")}</a>
          </p>
        </>
      )}
    </div>
  );
}

export function JobPage({ ctx, job }: { ctx: ViewContext; job: JobView }) {
  return (
    <Layout ctx={ctx} title={ctx.t("aw.job.title")}>
      <h1>{ctx.t("aw.job.title")}</h1>
      <JobStatus ctx={ctx} job={job} />
    </Layout>
  );
}

export function LivcAdvicePage(props: {
  ctx: ViewContext;
  campaign: { id: string; name: string };
  advice: { livcName: string | null; members: { nis: string; name: string }[]; missing: Advice["missing"]; talkingPoints: Advice["talkingPoints"] };
}) {
  const { ctx, campaign, advice } = props;
  const { t } = ctx;
  const base = `/awareness/campaigns/${campaign.id}/advice`;
  return (
    <Layout ctx={ctx} title={`${t("aw.advice.title")}: ${advice.livcName ?? ""}`} wide>
      <p>
        <a href={base}>{t("aw.advice.list")}</a>
      </p>
      <h1>
        {t("aw.advice.title")}: {advice.livcName}
      </h1>
      <p>{t("aw.advice.intro")}</p>
      <h2>{t("aw.advice.col.municipality")}</h2>
      <ul>
        {advice.members.map((m) => (
          <li>
            <a href={`${base}/${m.nis}`}>{m.name}</a>
          </li>
        ))}
      </ul>
      <h2>{t("aw.advice.missing")}</h2>
      {advice.missing.length === 0 ? (
        <p>{t("aw.advice.none_missing")}</p>
      ) : (
        <ul>
          {advice.missing.map((m) => (
            <li>
              {sectorLabel(m.sector, ctx.locale)}:{" "}
              {m.objections.length === 0
                ? t("aw.advice.no_objections")
                : m.objections.map((o) => `${t(objectionLabelKey(o.objection))} (${t("aw.advice.organisations", { n: shownText(suppress(o.organisations), ctx.num) })})`).join("; ")}
            </li>
          ))}
        </ul>
      )}
      {advice.talkingPoints.length > 0 ? <h2>{t("aw.advice.talking_points")}</h2> : null}
      {advice.talkingPoints.map((o) => (
        <section>
          <h3>{t(objectionLabelKey(o))}</h3>
          <p>{t(talkingPointKey(o))}</p>
        </section>
      ))}
    </Layout>
  );
}
