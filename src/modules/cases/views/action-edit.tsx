import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { ActionEdit } from "../service";
import { Csrf, type Errors, Input, Notice, Select } from "./fields";

/**
 * A lead changes an open action of the follow-up plan: text, owner, due date (no JavaScript needed).
 * The form carries the revision it was loaded with; after a conflict (someone changed the action, or
 * marked it done, in the meantime) the page shows a notice, what is saved now, and the typed input.
 */
export function ActionEditPage(props: {
  ctx: ViewContext;
  action: ActionEdit;
  values: { description: string; owner: string; due_on: string; revision: string };
  ownerOptions: { id: string; name: string }[];
  errors: Errors;
  notice?: string;
  /** After a conflict: the action as it is saved now. */
  saved?: { description: string; owner: string; dueOn: string };
  /** False when the action is no longer open: the typed input stays visible, but there is nothing to save. */
  open?: boolean;
}) {
  const { ctx, action, values, errors } = props;
  const { t } = ctx;
  const title = t("case.plan.edit_title", { label: action.caseLabel });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={Object.entries(errors).map(([field, message]) => ({ field, message }))} />
      <h1>{title}</h1>
      {props.notice ? <Notice>{props.notice}</Notice> : null}
      {props.saved ? (
        <section aria-labelledby="saved-title">
          <h2 id="saved-title">{t("case.plan.saved_now")}</h2>
          <dl class="summary-list">
            <dt>{t("case.plan.description")}</dt>
            <dd>{props.saved.description || t("case.plan.hidden")}</dd>
            <dt>{t("case.plan.owner")}</dt>
            <dd>{props.saved.owner}</dd>
            <dt>{t("case.plan.due")}</dt>
            <dd>{ctx.date(props.saved.dueOn)}</dd>
            <dt>{t("case.plan.status")}</dt>
            <dd>{t(`case.plan.status.${action.status}`)}</dd>
          </dl>
        </section>
      ) : null}
      <form method="post" action={`/cases/actions/${action.id}/edit`}>
        <Csrf ctx={ctx} />
        <input type="hidden" name="revision" value={values.revision} />
        <Input id="description" label={t("case.plan.description")} value={values.description} error={errors.description} maxLength={500} />
        <Select id="owner" label={t("case.plan.owner")} hint={t("case.plan.owner_hint")} value={values.owner} error={errors.owner} placeholder="" options={props.ownerOptions.map((o) => ({ value: o.id, label: o.name }))} />
        <Input id="due_on" label={t("case.plan.due")} hint={t("case.plan.due_hint")} value={values.due_on} error={errors.due_on} maxLength={10} />
        {props.open === false ? null : (
          <button type="submit" class="button">
            {t("case.plan.save")}
          </button>
        )}
      </form>
      <p>
        <a href={`/cases/${action.caseId}`}>{t("case.plan.back", { label: action.caseLabel })}</a>
      </p>
    </Layout>
  );
}
