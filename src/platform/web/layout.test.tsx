import type { FastifyInstance } from "fastify";
import { renderToString } from "preact-render-to-string";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { type Locale, translator } from "../i18n";
import { buildApp } from "./app";
import { ErrorSummary, Layout } from "./layout";

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
const summaries = (html: string) => [...html.matchAll(/<div class="error-summary"[^>]*>/g)].map((m) => m[0]);

/**
 * Decision 0054: a page that shows an error summary says so in its title ("Fout: " / "Erreur : " /
 * "Error: ") and its summary takes the focus on load without JavaScript (autofocus, one per page).
 * Checked through a real form (the DPO's audit-log search, POST with a bad date) in each language.
 */
describe("error summary: title prefix and focus", () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let dpo: LoginSession;
  beforeAll(async () => {
    ctx = await openTestContext("sqlite");
    app = await buildApp(ctx, { logger: false });
    dpo = await login(app, await createUser(ctx, { platformRoles: ["dpo"] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  const prefixes: Record<Locale, string> = { nl: "Fout: ", fr: "Erreur : ", en: "Error: " };
  for (const locale of ["nl", "fr", "en"] as const) {
    it(`${locale}: a refused form has the prefixed title and one autofocused summary; the same page without errors has neither`, async () => {
      const t = translator(locale);
      const failed = await app.inject({ method: "POST", url: `/audit?lang=${locale}`, headers: dpo.headers({ form: true }), payload: dpo.form({ from: "29-11-2026", action: "Login" }) });
      expect(failed.statusCode).toBe(400);
      expect(t("error.title_prefix")).toBe(prefixes[locale]);
      expect(titleOf(failed.body)).toBe(`${prefixes[locale]}${t("al.title")} · Schakel`);
      const found = summaries(failed.body);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/ autofocus[ >]/);
      expect(found[0]).toContain('tabindex="-1"');
      // The summary still links each error to its field, in the page's language.
      expect(failed.body).toContain(`<h2 id="error-summary-title">${t("error.summary")}</h2>`);
      expect(failed.body).toContain('<a href="#from">');

      const fine = await app.inject({ method: "GET", url: `/audit?lang=${locale}`, headers: dpo.headers() });
      expect(fine.statusCode).toBe(200);
      expect(titleOf(fine.body)).toBe(`${t("al.title")} · Schakel`);
      expect(summaries(fine.body)).toEqual([]);
      expect(fine.body).not.toContain("autofocus");
    });
  }
});

describe("Layout and ErrorSummary rendered directly", () => {
  const ctxOf = (locale: Locale) => ({ locale, t: translator(locale), path: "/x", query: "", correlationId: "c", can: () => false, demo: false, pendingApprovals: 0, date: (s: string | null | undefined) => s ?? "", num: (n: number) => String(n) });

  it("two summaries on one page: the title is prefixed once and only the first takes the focus; a summary inside a child component counts too", () => {
    const ctx = ctxOf("en");
    const Child = () => <ErrorSummary ctx={ctx} errors={[{ field: "b", message: "B is wrong" }]} />;
    const html = renderToString(
      <Layout ctx={ctx} title="Form">
        <h1>{'A & "B"'}</h1>
        <ErrorSummary ctx={ctx} errors={[{ field: "a", message: "A < 1" }]} />
        <div>
          <Child />
        </div>
      </Layout>,
    );
    expect(titleOf(html)).toBe("Error: Form · Schakel");
    const found = summaries(html);
    expect(found).toHaveLength(2);
    expect(found.filter((s) => / autofocus[ >]/.test(s))).toHaveLength(1);
    expect(found[0]).toMatch(/ autofocus[ >]/);
    // The body is rendered once and escaped as before.
    expect(html).toContain("<h1>A &amp; &quot;B&quot;</h1>");
    expect(html).toContain('<a href="#a">A &lt; 1</a>');
    expect(html.match(/<h1>/g)).toHaveLength(1);
  });

  it("an empty summary renders nothing and leaves the title alone; a later page is not affected by an earlier one", () => {
    const ctx = ctxOf("nl");
    renderToString(
      <Layout ctx={ctx} title="Eerste">
        <ErrorSummary ctx={ctx} errors={[{ field: "a", message: "x" }]} />
      </Layout>,
    );
    const html = renderToString(
      <Layout ctx={ctx} title="Tweede">
        <ErrorSummary ctx={ctx} errors={[]} />
      </Layout>,
    );
    expect(titleOf(html)).toBe("Tweede · Schakel");
    expect(summaries(html)).toEqual([]);
  });
});
