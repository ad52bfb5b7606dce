import type { ComponentChildren } from "preact";
import { navigation } from "../../modules/nav";
import { LOCALES } from "../i18n";
import { assetUrl } from "./assets";
import type { ViewContext } from "./view";

const languageNames = { nl: "Nederlands", fr: "Français", en: "English" } as const;

function withLang(ctx: ViewContext, lang: string): string {
  const params = new URLSearchParams(ctx.query);
  params.set("lang", lang);
  return `${ctx.path}?${params.toString()}`;
}

export function Layout(props: { ctx: ViewContext; title: string; children: ComponentChildren; wide?: boolean }) {
  const { ctx, title } = props;
  const { t } = ctx;
  const signedIn = Boolean(ctx.userName);
  return (
    <html lang={ctx.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        <title>{`${title} · ${t("app.name")}`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assetUrl("schakel.css")} />
        <script src={assetUrl("htmx.min.js")} defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t("nav.skip")}
        </a>
        <header class="site-header">
          <div class="container header-row">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true" />
              <span class="brand-name">{t("app.name")}</span>
              <span class="brand-tagline">{t("app.tagline")}</span>
            </a>
            <nav class="lang-switch" aria-label={t("nav.language")}>
              <ul>
                {LOCALES.map((l) => (
                  <li>
                    {l === ctx.locale ? (
                      <span aria-current="true" lang={l}>
                        {languageNames[l]}
                      </span>
                    ) : (
                      <a href={withLang(ctx, l)} lang={l} hrefLang={l}>
                        {languageNames[l]}
                      </a>
                    )}
                  </li>
                ))}
              </ul>
            </nav>
          </div>
          <nav class="main-nav" aria-label={t("nav.main")}>
            <ul class="container">
              {navigation
                .filter((item) => (item.show === "signed-out" ? !signedIn : ctx.can(item.show)))
                .map((item) => (
                  <li>
                    <a href={item.href} aria-current={ctx.path === item.href || ctx.path.startsWith(`${item.href}/`) ? "page" : undefined}>
                      {t(item.label)}
                      {item.count === "approvals" && ctx.pendingApprovals > 0 ? (
                        <>
                          {" "}
                          <span class="tag">{ctx.pendingApprovals}</span>
                          <span class="visually-hidden"> {t("ap.nav.count")}</span>
                        </>
                      ) : null}
                    </a>
                  </li>
                ))}
              {signedIn && ctx.csrfToken ? (
                <li class="nav-end">
                  <form method="post" action="/logout" class="inline-form">
                    <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                    <button type="submit" class="link-button">
                      {t("nav.logout")} <span class="visually-hidden">({ctx.userName})</span>
                    </button>
                  </form>
                </li>
              ) : null}
            </ul>
          </nav>
        </header>
        {ctx.demo ? (
          <div class="demo-banner" role="note">
            <div class="container">{t("demo.banner")}</div>
          </div>
        ) : null}
        <main id="main" class={props.wide ? "container wide" : "container"} tabIndex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="container">
            <p>{t("footer.attribution")}</p>
            <p>
              <a href="/api/docs">{t("footer.api")}</a>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** GOV.UK-style error summary: focusable, at the top, each error linked to its field. */
export function ErrorSummary(props: { ctx: ViewContext; errors: { field: string; message: string }[] }) {
  if (props.errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{props.ctx.t("error.summary")}</h2>
      <ul>
        {props.errors.map((e) => (
          <li>
            <a href={`#${e.field}`}>{e.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
