import { ScrollRegion } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { obstacleHistory } from "../service";

type Row = Awaited<ReturnType<typeof obstacleHistory>>[number];

/**
 * The obstacles of one municipality for analysts and administrators: each with its current values,
 * whether it still applies, its earlier values, and links to correct or end it. A GET lookup form
 * picks the municipality (no JavaScript needed). No personal data: a category and a short note.
 */
export function ObstaclesPage(props: { ctx: ViewContext; nis: string; municipality: string | null; rows: Row[]; errors: { field: string; message: string }[]; saved: boolean }) {
  const { ctx, nis, municipality, rows, errors } = props;
  const { t } = ctx;
  const title = municipality ? t("reg.obst.list.title", { name: municipality, nis }) : t("reg.obst.find.title");
  const error = errors.find((e) => e.field === "nis")?.message;
  const state = (o: { ended_on: string | null }) => (o.ended_on ? t("reg.obst.state.ended", { date: ctx.date(o.ended_on) }) : t("reg.obst.state.applies"));
  return (
    <Layout ctx={ctx} title={title}>
      <p>
        <a href="/registry">{t("reg.detail.back")}</a>
      </p>
      <ErrorSummary ctx={ctx} errors={errors} />
      {props.saved ? (
        <p class="notice success" role="status">
          {t("reg.obst.saved")}
        </p>
      ) : null}
      <h1>{title}</h1>
      <p>{t("reg.obst.find.intro")}</p>
      <form method="get" action="/registry/obstacles" novalidate>
        <div class={error ? "form-group form-group-error" : "form-group"}>
          <label for="nis">{t("reg.form.nis")}</label>
          <p class="hint" id="nis-hint">
            {t("reg.form.nis.hint")}
          </p>
          {error ? (
            <p class="field-error" id="nis-error">
              {error}
            </p>
          ) : null}
          <input
            type="text"
            id="nis"
            name="nis"
            value={nis}
            maxLength={5}
            inputMode="numeric"
            aria-describedby={error ? "nis-hint nis-error" : "nis-hint"}
            aria-invalid={error ? "true" : undefined}
          />
        </div>
        <button type="submit" class="button">
          {t("reg.obst.find.button")}
        </button>
      </form>
      {municipality ? (
        <>
          {rows.length === 0 ? <p>{t("reg.obst.none")}</p> : null}
          {rows.length > 0 ? (
            <ScrollRegion label={title}>
              <table>
                <caption class="visually-hidden">{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("reg.obst.col.recorded")}</th>
                    <th scope="col">{t("reg.obst.col.reason")}</th>
                    <th scope="col">{t("reg.obst.col.note")}</th>
                    <th scope="col">{t("reg.obst.col.state")}</th>
                    <th scope="col">{t("reg.obst.col.earlier")}</th>
                    <th scope="col">{t("reg.col.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((o) => (
                    <tr>
                      <td>{ctx.date(o.recorded_on)}</td>
                      <td>{t(`mon.reason.${o.reason}`)}</td>
                      <td>{o.note}</td>
                      <td>{state(o)}</td>
                      <td>
                        {o.earlier.length === 0 ? (
                          t("reg.obst.earlier.none")
                        ) : (
                          <ul>
                            {o.earlier.map((c) => (
                              <li>
                                {t(c.kind === "correct" ? "reg.obst.kind.correct" : "reg.obst.kind.end", { date: ctx.date(c.changed_at.slice(0, 10)) })}{" "}
                                {c.kind === "correct" ? `${t(`mon.reason.${c.reason}`)}${c.note ? ` (${c.note})` : ""}` : state(c)}
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td>
                        <a href={`/registry/obstacles/${o.id}/correct`}>
                          {t("reg.obst.correct")}
                          <span class="visually-hidden">
                            {" "}
                            ({t(`mon.reason.${o.reason}`)}, {ctx.date(o.recorded_on)})
                          </span>
                        </a>
                        <br />
                        <a href={`/registry/obstacles/${o.id}/end`}>
                          {t("reg.obst.end")}
                          <span class="visually-hidden">
                            {" "}
                            ({t(`mon.reason.${o.reason}`)}, {ctx.date(o.recorded_on)})
                          </span>
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          ) : null}
          <p>
            <a href={`/registry/obstacles/new?nis=${nis}`}>{t("reg.obst.add")}</a>
          </p>
        </>
      ) : null}
    </Layout>
  );
}
