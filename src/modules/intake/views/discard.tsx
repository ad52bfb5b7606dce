import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { Csrf } from "./common";

/** The reporter confirms deleting their own draft (a plain POST form; no JavaScript needed). */
export function DiscardDraftPage(props: { ctx: ViewContext; reference: string; lastSaved: string }) {
  const { ctx } = props;
  const { t } = ctx;
  const title = t("lc.discard.title", { reference: props.reference });
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p class="lead">{t("lc.discard.intro")}</p>
      <p>{t("lc.discard.saved", { date: ctx.date(props.lastSaved) })}</p>
      <form method="post" action={`/reports/${props.reference}/discard`} novalidate>
        <Csrf ctx={ctx} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="button warning">
          {t("lc.discard.submit")}
        </button>
      </form>
      <p>
        <a href={`/reports/${props.reference}/edit`}>{t("lc.discard.cancel")}</a>
      </p>
    </Layout>
  );
}
