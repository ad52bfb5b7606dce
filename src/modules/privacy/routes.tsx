import type { FastifyInstance, FastifyRequest } from "fastify";
import { h } from "preact";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { sendPage, viewContext } from "../../platform/web/view";
import { recordFacts, recordMarkdown, recordSections } from "./record";
import { RecordPage } from "./views/record";

/** /privacy: the record of processing (GDPR art. 30) as a page and as a Markdown download (decision 0054). */
export function privacyRoutes(app: FastifyInstance, ctx: AppContext) {
  const build = async (request: FastifyRequest) => {
    const view = viewContext(request);
    const list = new Intl.ListFormat(view.locale, { type: "conjunction" });
    const sections = recordSections(await recordFacts(ctx), { t: view.t, num: (n) => view.num(n), date: (iso) => view.date(iso), list: (xs) => list.format(xs) });
    return { view, sections, today: todayInBrussels() };
  };

  app.get("/privacy", { config: { permission: "privacy.record" } }, async (request, reply) => {
    const { view, sections, today } = await build(request);
    return sendPage(reply, h(RecordPage, { ctx: view, sections, generatedOn: today, download: `/privacy/record.md?lang=${view.locale}` }));
  });

  app.get("/privacy/record.md", { config: { permission: "privacy.record" } }, async (request, reply) => {
    const { view, sections, today } = await build(request);
    const body = recordMarkdown(view.t("pr.title"), [view.t("pr.intro"), view.t("pr.generated", { date: view.date(today) })], sections);
    return reply
      .type("text/markdown; charset=utf-8")
      .header("content-disposition", `attachment; filename="schakel-record-of-processing-${today}-${view.locale}.md"`)
      .send(body);
  });
}
