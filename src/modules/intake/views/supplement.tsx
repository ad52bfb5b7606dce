import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { LIMITS } from "../schema";
import { SIGNAL_CODES } from "../signals";
import type { SupplementForm } from "../supplement";
import { WITHDRAW_REASONS } from "../supplement";
import { Csrf, describedBy, HintAndError, k } from "./common";

/** One error of a form: the field it links to (an element id) and its text. */
export interface FieldError {
  field: string;
  message: string;
}

/** The reporter adds information to their submitted report (plain POST, typed input kept on error). */
export function SupplementPage(props: { ctx: ViewContext; reference: string; form: SupplementForm; errors: FieldError[] }) {
  const { ctx, form } = props;
  const { t } = ctx;
  const err = (f: string) => props.errors.find((e) => e.field === f)?.message;
  const title = t("sup.add.title", { reference: props.reference });
  const obsHint = t("sup.observation.hint", { limit: LIMITS.observation });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={props.errors} />
      <h1>{title}</h1>
      <p class="lead">{t("sup.add.intro")}</p>
      <form method="post" action={`/reports/${props.reference}/supplement`} novalidate>
        <Csrf ctx={ctx} />
        <div class={err("observation") ? "form-group form-group-error" : "form-group"}>
          <label for="observation">{t("sup.observation")}</label>
          <HintAndError id="observation" hint={obsHint} error={err("observation")} />
          <textarea
            id="observation"
            name="observation"
            rows={7}
            aria-describedby={describedBy("observation", obsHint, err("observation"))}
            aria-invalid={err("observation") ? "true" : undefined}
          >
            {form.observation}
          </textarea>
        </div>
        <div class={err("signals") ? "form-group form-group-error" : "form-group"}>
          <fieldset aria-describedby={describedBy("signals", "h", err("signals"))}>
            <legend>{t("sup.signals")}</legend>
            <HintAndError id="signals" hint={t("sup.signals.hint")} error={err("signals")} />
            {SIGNAL_CODES.map((code, i) => (
              <div class="checkbox">
                <input type="checkbox" id={i === 0 ? "signals" : `signals-${code}`} name="signals" value={code} checked={form.signals.includes(code)} />
                <label for={i === 0 ? "signals" : `signals-${code}`}>{t(k(`intake.signal.${code}`))}</label>
              </div>
            ))}
          </fieldset>
        </div>
        <button type="submit" class="button">
          {t("sup.submit")}
        </button>
      </form>
      <p>
        <a href={`/reports/${props.reference}`}>{t("sup.back")}</a>
      </p>
    </Layout>
  );
}

/** The reporter withdraws their report, with a reason from the fixed list. */
export function WithdrawPage(props: { ctx: ViewContext; reference: string; reason: string; errors: FieldError[] }) {
  const { ctx } = props;
  const { t } = ctx;
  const error = props.errors.find((e) => e.field === "reason")?.message;
  const title = t("sup.withdraw.title", { reference: props.reference });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={props.errors} />
      <h1>{title}</h1>
      <p class="lead">{t("sup.withdraw.intro")}</p>
      <form method="post" action={`/reports/${props.reference}/withdraw`} novalidate>
        <Csrf ctx={ctx} />
        <div class={error ? "form-group form-group-error" : "form-group"}>
          <fieldset aria-describedby={describedBy("reason", "h", error)}>
            <legend>{t("sup.withdraw.reason")}</legend>
            <HintAndError id="reason" hint={t("sup.withdraw.hint")} error={error} />
            {WITHDRAW_REASONS.map((r, i) => (
              <div class="radio">
                <input type="radio" id={i === 0 ? "reason" : `reason-${r}`} name="reason" value={r} checked={props.reason === r} />
                <label for={i === 0 ? "reason" : `reason-${r}`}>{t(k(`sup.withdraw.reason.${r}`))}</label>
              </div>
            ))}
          </fieldset>
        </div>
        <button type="submit" class="button warning">
          {t("sup.withdraw.submit")}
        </button>
      </form>
      <p>
        <a href={`/reports/${props.reference}`}>{t("sup.back")}</a>
      </p>
    </Layout>
  );
}
