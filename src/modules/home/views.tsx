import { Layout } from "../../platform/web/layout";
import type { ViewContext } from "../../platform/web/view";
import type { Waiting } from "./waiting";

/** The public welcome: for visitors without a session. */
export function WelcomePage({ ctx }: { ctx: ViewContext }) {
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

/**
 * The start page of a signed-in person (decision 0059): per role a number and the list it counts.
 * Each number is inside its link, so the link says what it opens ("3 Reports to screen").
 */
export function StartPage({ ctx, waiting }: { ctx: ViewContext; waiting: Waiting }) {
  const { t } = ctx;
  const title = t("home.start.title");
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p class="lead">{t("home.start.lead")}</p>
      {waiting.counts.length === 0 && waiting.links.length === 0 ? <p id="nothing-waiting">{t("home.start.none")}</p> : null}
      {waiting.counts.length > 0 ? (
        <section aria-labelledby="counts-title">
          <h2 id="counts-title" class="visually-hidden">
            {t("home.start.counts")}
          </h2>
          <ul class="cards" id="waiting">
            {waiting.counts.map((c) => (
              <li class="card" id={`waiting-${c.key}`} data-count={c.count}>
                <a href={c.href}>
                  <span class="figure">{c.more ? t("home.start.more", { n: ctx.num(c.count) }) : ctx.num(c.count)}</span> {t(`home.count.${c.key}`)}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {waiting.links.length > 0 ? (
        <section aria-labelledby="links-title">
          <h2 id="links-title">{t("home.start.links")}</h2>
          <ul id="start-links">
            {waiting.links.map((l) => (
              <li>
                <a href={l.href}>{t(`home.link.${l.key}`)}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}
