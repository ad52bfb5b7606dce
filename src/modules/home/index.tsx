import { h } from "preact";
import type { SchakelModule } from "..";
import { Layout } from "../../platform/web/layout";
import { sendPage, type ViewContext, viewContext } from "../../platform/web/view";

function HomePage({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout ctx={ctx} title={ctx.t("home.title")}>
      <h1>{ctx.t("home.title")}</h1>
      <p class="lead">{ctx.t("home.intro")}</p>
      <p>
        <a href="/municipalities">{ctx.t("home.register")}</a>
      </p>
    </Layout>
  );
}

export const homeModule: SchakelModule = {
  name: "home",
  routes(app) {
    app.get("/", { config: { permission: "public" } }, (request, reply) => sendPage(reply, h(HomePage, { ctx: viewContext(request) })));
  },
};
