import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { type FormError, type FormField, LIMITS, type ReportForm } from "../schema";
import { KNOWS_CODES, PARENT_KNOWS_CODES, SIGNAL_CODES, SINCE_CODES } from "../signals";
import { Csrf, describedBy, errorText, HintAndError, k } from "./common";

interface Props {
  ctx: ViewContext;
  form: ReportForm;
  errors: FormError[];
  municipalities: { nis: string; name: string }[];
  /** Continuing a saved draft: its reference. */
  reference?: string;
  savedDraft?: boolean;
  /** SCHAKEL_DRAFT_RETENTION_DAYS: a draft not saved for this long is erased (decision 0053). */
  draftDays?: number;
}

export function ReportFormPage(props: Props) {
  const { ctx, form } = props;
  const { t } = ctx;
  const err = (f: FormField) => {
    const e = props.errors.find((x) => x.field === f);
    return e ? errorText(ctx, e) : undefined;
  };
  const group = (f: FormField) => (err(f) ? "form-group form-group-error" : "form-group");
  const limitHint = (f: keyof typeof LIMITS, extra?: string) => [extra, t("intake.form.limit", { limit: LIMITS[f] })].filter(Boolean).join(" ");

  const text = (f: "subject_name" | "reporter_organisation" | "reporter_contact", autocomplete = "off") => (
    <div class={group(f)}>
      <label for={f}>{t(k(`intake.form.${f}`))}</label>
      <HintAndError id={f} hint={limitHint(f)} error={err(f)} />
      <input type="text" id={f} name={f} value={form[f]} autocomplete={autocomplete} aria-describedby={describedBy(f, "h", err(f))} aria-invalid={err(f) ? "true" : undefined} />
    </div>
  );
  const area = (f: "subject_description" | "observation", rows: number) => (
    <div class={group(f)}>
      <label for={f}>{t(k(`intake.form.${f}`))}</label>
      <HintAndError id={f} hint={limitHint(f, t(k(`intake.form.${f}.hint`)))} error={err(f)} />
      <textarea id={f} name={f} rows={rows} aria-describedby={describedBy(f, "h", err(f))} aria-invalid={err(f) ? "true" : undefined}>
        {form[f]}
      </textarea>
    </div>
  );
  const radios = (f: "identity_known" | "person_knows" | "parent_knows", options: readonly string[], labelKey: (o: string) => string) => (
    <div class={group(f)}>
      <fieldset aria-describedby={err(f) ? `${f}-error` : undefined}>
        <legend>{t(k(`intake.form.${f}`))}</legend>
        <HintAndError id={f} error={err(f)} />
        {options.map((o, i) => (
          <div class="radio">
            <input type="radio" id={i === 0 ? f : `${f}-${o}`} name={f} value={o} checked={form[f] === o} />
            <label for={i === 0 ? f : `${f}-${o}`}>{t(k(labelKey(o)))}</label>
          </div>
        ))}
      </fieldset>
    </div>
  );
  const checkbox = (f: "minor" | "danger_now" | "notify_status", hint?: string) => (
    <div class="form-group">
      <div class="checkbox">
        <input type="checkbox" id={f} name={f} value="1" checked={form[f]} aria-describedby={hint ? `${f}-hint` : undefined} />
        <label for={f}>{t(k(`intake.form.${f}`))}</label>
      </div>
      {hint ? (
        <p class="hint" id={`${f}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );

  const action = props.reference ? `/reports/${props.reference}` : "/reports";
  return (
    <Layout ctx={ctx} title={t("intake.form.title")}>
      <ErrorSummary ctx={ctx} errors={props.errors.map((e) => ({ field: e.field, message: errorText(ctx, e) }))} />
      {props.savedDraft && props.reference ? (
        <p class="notice success" role="status">
          {t("intake.draft.saved", { reference: props.reference })}
        </p>
      ) : null}
      <h1>{t("intake.form.title")}</h1>
      <p class="lead">{t("intake.form.lead")}</p>
      <p class="notice warning">
        <strong>{t("intake.form.urgent")}</strong>
      </p>
      <form method="post" action={action} novalidate>
        <Csrf ctx={ctx} />
        <h2>{t("intake.form.subject")}</h2>
        {radios("identity_known", ["known", "unknown"], (o) => `intake.form.identity.${o}`)}
        {text("subject_name")}
        <div class={group("subject_birth_date")}>
          <label for="subject_birth_date">{t("intake.form.subject_birth_date")}</label>
          <HintAndError id="subject_birth_date" hint={t("intake.form.subject_birth_date.hint")} error={err("subject_birth_date")} />
          <input
            type="date"
            id="subject_birth_date"
            name="subject_birth_date"
            value={form.subject_birth_date}
            autocomplete="off"
            aria-describedby={describedBy("subject_birth_date", "h", err("subject_birth_date"))}
            aria-invalid={err("subject_birth_date") ? "true" : undefined}
          />
        </div>
        {area("subject_description", 3)}
        <div class={group("municipality_nis")}>
          <label for="municipality_nis">{t("intake.form.municipality_nis")}</label>
          <HintAndError id="municipality_nis" hint={t("intake.form.municipality_nis.hint")} error={err("municipality_nis")} />
          <select id="municipality_nis" name="municipality_nis" aria-describedby={describedBy("municipality_nis", "h", err("municipality_nis"))} aria-invalid={err("municipality_nis") ? "true" : undefined}>
            <option value="">{t("intake.form.municipality.choose")}</option>
            {props.municipalities.map((m) => (
              <option value={m.nis} selected={form.municipality_nis === m.nis}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        {checkbox("minor", t("intake.form.minor.hint"))}

        <h2>{t("intake.form.observed")}</h2>
        <div class={group("signals")}>
          <fieldset aria-describedby={describedBy("signals", "h", err("signals"))}>
            <legend>{t("intake.form.signals")}</legend>
            <HintAndError id="signals" hint={t("intake.form.signals.hint")} error={err("signals")} />
            {SIGNAL_CODES.map((code, i) => (
              <div class="checkbox">
                <input type="checkbox" id={i === 0 ? "signals" : `signals-${code}`} name="signals" value={code} checked={form.signals.includes(code)} />
                <label for={i === 0 ? "signals" : `signals-${code}`}>{t(k(`intake.signal.${code}`))}</label>
              </div>
            ))}
          </fieldset>
        </div>
        {area("observation", 7)}
        <div class={group("since")}>
          <label for="since">{t("intake.form.since")}</label>
          <HintAndError id="since" error={err("since")} />
          <select id="since" name="since" aria-describedby={describedBy("since", undefined, err("since"))} aria-invalid={err("since") ? "true" : undefined}>
            <option value="">{t("intake.choose")}</option>
            {SINCE_CODES.map((c) => (
              <option value={c} selected={form.since === c}>
                {t(k(`intake.since.${c}`))}
              </option>
            ))}
          </select>
        </div>
        {radios("person_knows", KNOWS_CODES, (o) => `intake.knows.${o}`)}
        {radios("parent_knows", PARENT_KNOWS_CODES, (o) => `intake.knows.${o}`)}
        {checkbox("danger_now", t("intake.form.danger_now.hint"))}

        <h2>{t("intake.form.you")}</h2>
        {text("reporter_organisation", "organization")}
        {text("reporter_contact")}
        {checkbox("notify_status")}

        <div class="button-row">
          <button type="submit" name="action" value="submit" class="button">
            {t("intake.form.submit")}
          </button>{" "}
          <button type="submit" name="action" value="draft" class="button secondary">
            {t("intake.form.save_draft")}
          </button>
        </div>
        {props.draftDays ? <p class="hint">{t("lc.draft.term", { days: props.draftDays })}</p> : null}
      </form>
      {props.reference ? (
        <p>
          <a href={`/reports/${props.reference}/discard`}>{t("lc.discard.link")}</a>
        </p>
      ) : null}
    </Layout>
  );
}
