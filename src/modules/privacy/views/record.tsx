import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { RecordSection } from "../record";

/** The record of processing (GDPR art. 30) for the DPO and administrators, with its download link. */
export function RecordPage(props: { ctx: ViewContext; sections: RecordSection[]; generatedOn: string; download: string }) {
  const { ctx, sections } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("pr.title")}>
      <h1>{t("pr.title")}</h1>
      <p>{t("pr.intro")}</p>
      <p>{t("pr.generated", { date: ctx.date(props.generatedOn) })}</p>
      <p>
        <a href={props.download} download>
          {t("pr.download")}
        </a>
      </p>
      {sections.map((s) => (
        <section aria-labelledby={`pr-${s.id}`}>
          <h2 id={`pr-${s.id}`}>{s.heading}</h2>
          <ul>
            {s.items.map((item) => (
              <li>{item}</li>
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}
