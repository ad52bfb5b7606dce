import type { MessageKey } from "../../../platform/i18n";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { FeedbackView } from "../service";
import { ButtonForm, Csrf, type Errors, Input, Notice } from "./fields";

export function FeedbackPage(props: { ctx: ViewContext; f: FeedbackView; label: string; names: Record<string, string>; errors: Errors; notice?: string }) {
  const { ctx, f } = props;
  const { t } = ctx;
  const me = f.attendees;
  return (
    <Layout ctx={ctx} title={t("case.fb.title")}>
      <ErrorSummary ctx={ctx} errors={Object.entries(props.errors).map(([field, message]) => ({ field, message }))} />
      {props.notice ? <Notice>{props.notice}</Notice> : null}
      <h1>{t("case.fb.title")}</h1>
      <p>
        <a href={`/cases/${f.caseId}`}>{props.label}</a> · <span class="tag">{t(`case.fb.status.${f.status}` as MessageKey)}</span> · {t("case.fb.revision", { n: f.revision })}
      </p>
      <p>{t("case.fb.intro")}</p>
      <div class="card">
        <p>{f.content}</p>
      </div>
      <p>{f.attested ? t("case.fb.attested") : t("case.fb.not_attested")}</p>
      <h2>{t("case.fb.votes")}</h2>
      <ul>
        {me.map((a) => (
          <li>
            {props.names[a.userId] ?? "—"}: {a.vote ? t(`case.fb.vote.${a.vote}` as MessageKey) : t("case.fb.vote.none")}
          </li>
        ))}
      </ul>
      {f.status === "sent" && f.sentAt ? <p>{t("case.fb.sent", { date: ctx.date(f.sentAt.slice(0, 10)) })}</p> : null}
      {f.status === "draft" && f.blockers.length > 0 ? (
        <>
          <p>{t("case.fb.blocked")}</p>
          <ul>
            {f.blockers.map((b) => (
              <li>{t(`case.fb.blocker.${b}` as MessageKey)}</li>
            ))}
          </ul>
        </>
      ) : null}
      {f.may.vote ? (
        <p>
          <ButtonForm ctx={ctx} action={`/feedback/${f.id}/vote`} label={t("case.fb.vote.approve")} fields={{ vote: "approve" }} />{" "}
          <ButtonForm ctx={ctx} action={`/feedback/${f.id}/vote`} label={t("case.fb.vote.object")} fields={{ vote: "object" }} secondary />
        </p>
      ) : null}
      {f.may.edit && !f.attested ? <ButtonForm ctx={ctx} action={`/feedback/${f.id}/attest`} label={t("case.fb.attest")} secondary /> : null}
      {f.may.send ? <ButtonForm ctx={ctx} action={`/feedback/${f.id}/send`} label={t("case.fb.send")} /> : null}
      {f.may.edit ? (
        <form method="post" action={`/feedback/${f.id}/edit`}>
          <Csrf ctx={ctx} />
          <Input id="content" label={t("case.fb.edit")} value={f.content ?? ""} error={props.errors.content} multiline maxLength={4000} />
          <button type="submit" class="button secondary">
            {t("case.fb.edit")}
          </button>
        </form>
      ) : null}
      <p>
        <a href={`/cases/${f.caseId}`}>{t("case.fb.back")}</a>
      </p>
    </Layout>
  );
}
