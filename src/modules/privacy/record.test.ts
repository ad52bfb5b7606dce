import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect, freshDatabaseUrl, testConfig } from "../../../test/support/db";
import { openContext } from "../../platform/bootstrap";
import { formatDate, translator } from "../../platform/i18n";
import { todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { runRetentionPurge } from "../cases";
import { openCaseFromScreening, transitionCase } from "../cases/service";
import { makeActor, makeLivc } from "../cases/testing";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&amp;/g, "&").replace(/\s+/g, " ");

/**
 * The record of processing (GDPR art. 30, decision 0054): the DPO and administrators see it as a page
 * and download it as Markdown in nl/fr/en; retention terms, session limits, the LIVCs registered and
 * the newest purge come from the running configuration and database; nobody else sees it.
 */
describeEachDialect("record of processing", (ctx, dialect) => {
  let app: FastifyInstance;
  let dpo: LoginSession;
  let admin: LoginSession;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    dpo = await login(app, await createUser(ctx(), { platformRoles: ["dpo"] }));
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("shows every art. 30 section in each language, filled from the configuration; the newest purge appears once there is one", async () => {
    const livcs = (await ctx().database.db.selectFrom("livc").select("id").execute()).length;
    for (const locale of ["nl", "fr", "en"] as const) {
      const t = translator(locale);
      const page = await app.inject({ method: "GET", url: `/privacy?lang=${locale}`, headers: dpo.headers() });
      expect(page.statusCode).toBe(200);
      const body = text(page.body);
      for (const key of ["pr.s.controller", "pr.s.purposes", "pr.s.legal", "pr.s.subjects", "pr.s.data", "pr.s.recipients", "pr.s.transfers", "pr.s.retention", "pr.s.security"] as const) {
        expect(body).toContain(t(key));
      }
      expect(body).toContain(t("pr.retention.case", { years: 6, minor: 3 }));
      expect(body).toContain(t("pr.retention.sessions", { idle: 30, hours: 10, stash: 60 }));
      expect(body).toContain(t("pr.retention.review", { months: new Intl.ListFormat(locale, { type: "conjunction" }).format(["6", "12"]) }));
      expect(body).toContain(t("pr.controller.livcs", { count: livcs }));
      expect(body).toContain(t("pr.retention.never"));
      expect(body).toContain(t("pr.retention.backups", { days: 30 }));
      expect(body).toContain(t("pr.retention.not_taken_up", { months: 12 }));
      expect(body).toContain(t("pr.retention.drafts", { days: 30 }));
    }
    expect(text((await app.inject({ method: "GET", url: "/privacy?lang=nl", headers: dpo.headers() })).body)).toContain("Casussen: 6 jaar na de afsluiting, voor minderjarigen 3 jaar.");

    // A purge happens: the page names its date instead of "nothing erased yet".
    const livc = await makeLivc(ctx());
    const chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    const c = await openCaseFromScreening(ctx(), { actor: chair }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Greta Verzonnen", dateOfBirth: "1980-01-01" }, screeningDecision: "take_up", openedOn: "2009-01-01" });
    await transitionCase(ctx(), { actor: chair }, c.id, "close", { reason: "concern_addressed", today: "2010-01-01" });
    await runRetentionPurge(ctx(), { today: todayInBrussels() });
    const purgedAt = (await ctx().database.db.selectFrom("case_purge_log").select("purged_at").where("case_id", "=", c.id).executeTakeFirstOrThrow()).purged_at;
    const after = text((await app.inject({ method: "GET", url: "/privacy?lang=en", headers: admin.headers() })).body);
    expect(after).toContain(`Newest erasure in this installation: ${formatDate("en", purgedAt)}.`);
    expect(after).toContain(translator("en")("pr.controller.livcs", { count: livcs + 1 }));
    expect(after).not.toContain(translator("en")("pr.retention.never"));
  }, 60_000);

  it("offers the same record as a Markdown download, in the language asked", async () => {
    const r = await app.inject({ method: "GET", url: "/privacy/record.md?lang=fr", headers: dpo.headers() });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("text/markdown; charset=utf-8");
    expect(r.headers["content-disposition"]).toBe(`attachment; filename="schakel-record-of-processing-${todayInBrussels()}-fr.md"`);
    const t = translator("fr");
    expect(r.body.startsWith(`# ${t("pr.title")}\n`)).toBe(true);
    expect(r.body).toContain(`\n## ${t("pr.s.retention")}\n\n- ${t("pr.retention.case", { years: 6, minor: 3 })}\n`);
    expect(r.body).toContain(`- ${t("pr.recipient.ltf")}`);
    const page = await app.inject({ method: "GET", url: "/privacy?lang=fr", headers: dpo.headers() });
    expect(page.body).toContain('href="/privacy/record.md?lang=fr"');
  });

  it("other retention terms and session limits in the configuration change the record", async () => {
    const other = await openContext({ config: testConfig(await freshDatabaseUrl(dialect), { SCHAKEL_RETENTION_YEARS: "8", SCHAKEL_RETENTION_MINOR_YEARS: "2.5", SCHAKEL_SESSION_IDLE_MINUTES: "15", SCHAKEL_SESSION_ABSOLUTE_HOURS: "8" }) });
    const otherApp = await buildApp(other, { logger: false });
    try {
      const s = await login(otherApp, await createUser(other, { platformRoles: ["dpo"] }));
      const md = (await otherApp.inject({ method: "GET", url: "/privacy/record.md?lang=nl", headers: s.headers() })).body;
      expect(md).toContain("- Casussen: 8 jaar na de afsluiting, voor minderjarigen 2,5 jaar.");
      expect(md).toContain("- Meldingen: hoogstens 8 jaar na de indiening, voor minderjarigen 2,5 jaar.");
      expect(md).toContain("- Sessies: verlopen na 15 minuten zonder activiteit en na hoogstens 8 uur.");
      expect(md).toContain("- LIVC's geregistreerd in deze installatie: 0.");
    } finally {
      await otherApp.close();
      await other.close();
    }
  }, 60_000);

  it("is refused to everyone but the DPO and administrators", async () => {
    const livc = await makeLivc(ctx());
    const others = [
      await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] })),
      await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] })),
      await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] })),
    ];
    for (const s of others) {
      for (const url of ["/privacy", "/privacy/record.md"]) expect((await app.inject({ method: "GET", url, headers: s.headers() })).statusCode).toBe(403);
    }
    const anonymous = await app.inject({ method: "GET", url: "/privacy/record.md" });
    expect(anonymous.statusCode).not.toBe(200);
    expect(anonymous.body).not.toContain("# ");
  }, 60_000);
});
