import type { MessageKey } from "../../../platform/i18n";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { type IdentityErrors, RECTIFY_REASONS, type RectifiableRecord } from "../service";
import { Csrf, Notice, Select } from "./fields";
import { Checkbox, ScrollRegion, TextField } from "../../../platform/web/fields";

export interface IdentityValues {
  full_name: string;
  date_of_birth: string;
  reason: string;
  /** "yes": also correct the linked record(s) (the checkbox; checked on a first view). */
  also_linked?: string;
}

/**
 * The record(s) linked to the one corrected (decision 0050): a case's source report(s), or the case a
 * report became. `offer` is the checkbox (only when this actor may correct them); `notes` say why
 * others are not offered. References and labels only, never content.
 */
export interface LinkedOffer {
  heading: string;
  from: string;
  offer: string | null;
  notes: string[];
}

/** The error messages of a refused correction, by field id. */
export const identityErrorMessages = (t: ViewContext["t"], errors: IdentityErrors): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).map(([field, code]) => [field, t(`rect.error.${field}.${code}` as MessageKey)]));

/**
 * The correction form of a case's or a report's identity: works without JavaScript (plain POST),
 * keeps what was typed when refused, the error summary linked to the fields.
 */
export function IdentityEditPage(props: {
  ctx: ViewContext;
  title: string;
  intro?: string;
  action: string;
  back: { href: string; label: string };
  values: IdentityValues;
  errors: Record<string, string>;
  birthDateRequired: boolean;
  linked?: LinkedOffer | null;
}) {
  const { ctx, values, errors, linked } = props;
  const { t } = ctx;
  const order = ["full_name", "date_of_birth", "reason"];
  return (
    <Layout ctx={ctx} title={props.title}>
      <ErrorSummary ctx={ctx} errors={order.filter((f) => errors[f]).map((field) => ({ field, message: errors[field] }))} />
      <h1>{props.title}</h1>
      <p>{t("rect.intro")}</p>
      {props.intro ? <p>{props.intro}</p> : null}
      <form method="post" action={props.action}>
        <Csrf ctx={ctx} />
        <TextField id="full_name" label={t("rect.full_name")} value={values.full_name} error={errors.full_name} maxLength={200} autocomplete="off" />
        <TextField
          id="date_of_birth"
          label={t("rect.date_of_birth")}
          hint={t(props.birthDateRequired ? "rect.date_hint" : "rect.date_hint_optional")}
          value={values.date_of_birth}
          error={errors.date_of_birth}
          maxLength={10}
          autocomplete="off"
        />
        <Select id="reason" label={t("rect.reason")} value={values.reason} error={errors.reason} placeholder="" options={RECTIFY_REASONS.map((r) => ({ value: r, label: t(`rect.reason.${r}` as MessageKey) }))} />
        {linked ? (
          <section aria-labelledby="linked-heading">
            <h2 id="linked-heading">{linked.heading}</h2>
            <p id="linked-from">{linked.from}</p>
            {linked.offer ? (
              <div class="form-group">
                <Checkbox id="also_linked" name="also_linked" value="yes" label={linked.offer} checked={values.also_linked === "yes"} />
              </div>
            ) : null}
            {linked.notes.map((n) => (
              <p class="hint">{n}</p>
            ))}
          </section>
        ) : null}
        <button type="submit" class="button">
          {t("rect.save")}
        </button>
      </form>
      <p>
        <a href={props.back.href}>{props.back.label}</a>
      </p>
    </Layout>
  );
}

/** The DPO's search (POST: no name in an address) for the cases and reports of one person. */
export function RectifySearchPage(props: {
  ctx: ViewContext;
  values: { name: string; dob: string };
  errors: Record<string, string>;
  results: RectifiableRecord[] | null;
  livcNames: Map<string, string>;
  done?: boolean;
}) {
  const { ctx, values, errors, results } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("rect.search.title")}>
      <ErrorSummary ctx={ctx} errors={["name", "dob"].filter((f) => errors[f]).map((field) => ({ field, message: errors[field] }))} />
      {props.done ? <Notice>{t("rect.done")}</Notice> : null}
      <h1>{t("rect.search.title")}</h1>
      <p>{t("rect.search.intro")}</p>
      <form method="post" action="/rectify">
        <Csrf ctx={ctx} />
        <TextField id="name" label={t("rect.full_name")} value={values.name} error={errors.name} maxLength={200} autocomplete="off" />
        <TextField id="dob" label={t("rect.date_of_birth")} hint={t("rect.date_hint_optional")} value={values.dob} error={errors.dob} maxLength={10} autocomplete="off" />
        <button type="submit" class="button">
          {t("rect.search.submit")}
        </button>
      </form>
      {results === null ? null : results.length === 0 ? (
        <p>{t("rect.search.none")}</p>
      ) : (
        <>
          <h2>{t("rect.search.results")}</h2>
          <ScrollRegion label={t("rect.search.results")}>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t("rect.search.kind")}</th>
                  <th scope="col">{t("rect.search.record")}</th>
                  <th scope="col">{t("rect.search.livc")}</th>
                </tr>
              </thead>
              <tbody>
                {results.map((r) => (
                  <tr>
                    <td>{t(`rect.kind.${r.kind}` as MessageKey)}</td>
                    <td>
                      <a href={r.href}>{r.name}</a>
                    </td>
                    <td>{r.livcId ? (props.livcNames.get(r.livcId) ?? "") : t("rect.search.regional")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        </>
      )}
    </Layout>
  );
}
