import { type ComponentChildren, Fragment, h } from "preact";
import { renderToString } from "preact-render-to-string";
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

/**
 * What the page body rendered that the head must reflect (decision 0054): the error summaries of the
 * page being laid out. Set while Layout renders its children, so every view that shows an
 * ErrorSummary gets the title prefix and the focus without passing its errors twice.
 */
let rendering: { errors: number } | null = null;

export function Layout(props: { ctx: ViewContext; title: string; children: ComponentChildren; wide?: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  // The body is rendered first so the title can say the page shows errors ("Fout: ..."), as the GOV.UK
  // error summary pattern asks; nested renders restore the outer page's state.
  const outer = rendering;
  const page = { errors: 0 };
  rendering = page;
  let body: string;
  try {
    body = renderToString(h(Fragment, null, props.children));
  } finally {
    rendering = outer;
  }
  const title = page.errors > 0 ? `${t("error.title_prefix")}${props.title}` : props.title;
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
        {/* The body as rendered above by Preact (escaped there), inserted once. */}
        <main id="main" class={props.wide ? "container wide" : "container"} tabIndex={-1} dangerouslySetInnerHTML={{ __html: body }} />
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

/**
 * GOV.UK-style error summary: at the top, each error linked to its field. It takes the focus when the
 * page loads, without JavaScript (autofocus; only the page's first summary), and makes Layout prefix
 * the page title with "Fout: " / "Erreur : " / "Error: " (decision 0054).
 */
export function ErrorSummary(props: { ctx: ViewContext; errors: { field: string; message: string }[] }) {
  if (props.errors.length === 0) return null;
  const first = rendering === null || rendering.errors === 0;
  if (rendering) rendering.errors += props.errors.length;
  return (
    <div class="error-summary" role="alert" tabIndex={-1} autofocus={first} aria-labelledby="error-summary-title">
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
