import { Layout } from "./layout";
import type { ViewContext } from "./view";

export type ErrorStatus = 400 | 403 | 404 | 429 | 500 | 503;

export function ErrorPage(props: { ctx: ViewContext; status: ErrorStatus }) {
  const { ctx, status } = props;
  const title = ctx.t(`error.${status}.title`);
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p class="lead">{ctx.t(`error.${status}.body`)}</p>
      <p>
        {ctx.t("error.correlation")}: <code>{ctx.correlationId}</code>
      </p>
      <p>
        <a href="/">{ctx.t("nav.home")}</a>
      </p>
    </Layout>
  );
}
