import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { ActionEdit } from "../service";
import { Csrf, type Errors, Input, Select } from "./fields";

/** A lead changes an open action of the follow-up plan: text, owner, due date (no JavaScript needed). */
export function ActionEditPage(props: {
  ctx: ViewContext;
  action: ActionEdit;
  values: { description: string; owner: string; due_on: string };
  ownerOptions: { id: string; name: string }[];
  errors: Errors;
}) {
  const { ctx, action, values, errors } = props;
  const { t } = ctx;
  const title = t("case.plan.edit_title", { label: action.caseLabel });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={Object.entries(errors).map(([field, message]) => ({ field, message }))} />
      <h1>{title}</h1>
      <form method="post" action={`/cases/actions/${action.id}/edit`}>
        <Csrf ctx={ctx} />
        <Input id="description" label={t("case.plan.description")} value={values.description} error={errors.description} maxLength={500} />
        <Select id="owner" label={t("case.plan.owner")} value={values.owner} error={errors.owner} placeholder="" options={props.ownerOptions.map((o) => ({ value: o.id, label: o.name }))} />
        <Input id="due_on" label={t("case.plan.due")} hint={t("case.plan.due_hint")} value={values.due_on} error={errors.due_on} maxLength={10} />
        <button type="submit" class="button">
          {t("case.plan.save")}
        </button>
      </form>
      <p>
        <a href={`/cases/${action.caseId}`}>{t("case.plan.back", { label: action.caseLabel })}</a>
      </p>
    </Layout>
  );
}
