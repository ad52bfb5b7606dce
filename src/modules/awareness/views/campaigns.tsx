import { ScrollRegion } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { type Sector, sectorLabel } from "../../identity/sectors";
import type { QuestionKind } from "../migrations";
import { objectionLabelKey, shownText, suppress } from "../objections";
import type { QuestionRow, SessionRow } from "../store";
import { Csrf, type Errors, Input, summary, TextArea } from "./form";

export interface CampaignRow { id: string; name: string; year: number; description: string }

export function CampaignListPage({ ctx, campaigns }: { ctx: ViewContext; campaigns: CampaignRow[] }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("aw.title")}>
      <h1>{t("aw.title")}</h1>
      <p>{t("aw.intro")}</p>
      <p>
        <a class="button" href="/awareness/campaigns/new">{t("aw.campaign.new")}</a>
      </p>
      <h2>{t("aw.campaigns")}</h2>
      {campaigns.length === 0 ? (
        <p>{t("aw.campaign.none")}</p>
      ) : (
        <ul>
          {campaigns.map((c) => (
            <li>
              <a href={`/awareness/campaigns/${c.id}`}>{c.name}</a> ({c.year})
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

export function CampaignFormPage({ ctx, values, errors }: { ctx: ViewContext; values: Record<string, string>; errors: Errors }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("aw.campaign.new")}>
      <ErrorSummary ctx={ctx} errors={summary(errors)} />
      <h1>{t("aw.campaign.new")}</h1>
      <form method="post" action="/awareness/campaigns/new" novalidate>
        <Csrf ctx={ctx} />
        <Input id="name" label={t("aw.field.name")} value={values.name} error={errors.name} />
        <Input id="year" label={t("aw.field.year")} value={values.year} error={errors.year} inputmode="numeric" />
        <TextArea id="description" label={t("aw.field.description")} value={values.description} error={errors.description} />
        <button type="submit">{t("aw.save")}</button> <a href="/awareness">{t("aw.cancel")}</a>
      </form>
    </Layout>
  );
}

const kindKey = (k: QuestionKind) => `aw.kind.${k}` as const;

export function CampaignPage(props: {
  ctx: ViewContext;
  campaign: CampaignRow;
  sessions: SessionRow[];
  questions: QuestionRow[];
  links: { open: number; used: number };
  responses: number;
}) {
  const { ctx, campaign, sessions, questions } = props;
  const { t } = ctx;
  const base = `/awareness/campaigns/${campaign.id}`;
  return (
    <Layout ctx={ctx} title={campaign.name} wide>
      <p>
        <a href="/awareness">{t("aw.title")}</a>
      </p>
      <h1>
        {campaign.name} ({campaign.year})
      </h1>
      {campaign.description ? <p>{campaign.description}</p> : null}
      <ul class="cards">
        <li>
          <a href={`${base}/analysis`}>{t("aw.analysis")}</a>
          <p>{t("aw.responses.count", { n: shownText(suppress(props.responses), ctx.num) })}</p>
        </li>
        <li>
          <a href={`${base}/advice`}>{t("aw.advice.list")}</a>
        </li>
        <li>
          <a href={`${base}/links/new`}>{t("aw.links.new")}</a>
          <p>{t("aw.links.summary", { open: ctx.num(props.links.open), used: ctx.num(props.links.used) })}</p>
        </li>
      </ul>

      <h2>{t("aw.sessions")}</h2>
      <p>
        <a class="button secondary" href={`${base}/sessions/new`}>{t("aw.session.new")}</a>
      </p>
      {sessions.length === 0 ? (
        <p>{t("aw.session.none")}</p>
      ) : (
        <ScrollRegion label={t("aw.sessions")}>
          <table>
            <caption class="visually-hidden">{t("aw.sessions")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("aw.col.date")}</th>
                <th scope="col">{t("aw.field.sectors")}</th>
                <th scope="col">{t("aw.col.reach")}</th>
                <th scope="col">{t("aw.field.participants")}</th>
                <th scope="col">{t("aw.field.materials")}</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr>
                  <td>{ctx.date(s.held_on)}</td>
                  <td>{s.sectors.map((x: Sector) => sectorLabel(x, ctx.locale)).join(", ")}</td>
                  <td>
                    {[s.province, s.municipalities.length > 0 ? `${t("aw.municipalities.count", { n: s.municipalities.length })}: ${s.municipalities.join(", ")}` : null]
                      .filter(Boolean)
                      .join("; ")}
                  </td>
                  <td>{ctx.num(s.participants)}</td>
                  <td>{s.materials}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}

      <h2>{t("aw.questions")}</h2>
      <p>
        <a class="button secondary" href={`${base}/questions/new`}>{t("aw.question.new")}</a>
      </p>
      {questions.length === 0 ? (
        <form method="post" action={`${base}/questions/standard`}>
          <Csrf ctx={ctx} />
          <p>{t("aw.questions.none")}</p>
          <button type="submit" class="secondary">{t("aw.question.standard")}</button>
        </form>
      ) : (
        <ol>
          {questions.map((q) => (
            <li>
              <span lang="nl">{q.text_nl}</span> <span class="tag grey">{t(kindKey(q.kind))}</span>
              <br />
              <span class="hint" lang="fr">{q.text_fr}</span>
              {q.options.length > 0 ? (
                <ul>
                  {q.options.map((o) => (
                    <li>
                      {o.text_nl}
                      {o.objection ? <span class="tag"> {t(objectionLabelKey(o.objection))}</span> : null}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </Layout>
  );
}
