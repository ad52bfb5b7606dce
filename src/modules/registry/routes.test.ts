import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { coverageReport } from "../monitoring/service";
import { livcByCode, obstaclesOf } from "./service";

describeEachDialect("LIVC register forms", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  let analyst: LoginSession;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (url: string, fields: Record<string, string>, s = admin) =>
    app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });

  it("creates an LIVC through the form, keeping input and linking errors to fields when invalid", async () => {
    const bad = await post("/registry", { code: "bad code!", name: "", founded_on: "2020-13-01", chair_name: "", coordinator_name: "", info_officer_name: "" });
    expect(bad.statusCode).toBe(400);
    for (const field of ["code", "name", "founded_on"]) expect(bad.body).toContain(`href="#${field}"`);
    expect(bad.body).toContain('value="bad code!"');
    const ok = await post("/registry", {
      code: "LIVC-24062",
      name: "LIVC Leuven",
      founded_on: "2019-02-01",
      chair_name: "Mila Fictief",
      coordinator_name: "",
      info_officer_name: "",
    });
    expect(ok.statusCode).toBe(303);
    const livc = (await livcByCode(ctx().database.db, "LIVC-24062"))!;
    expect(ok.headers.location).toBe(`/registry/${livc.id}?saved=1`);
    const dup = await post("/registry", { code: "LIVC-24062", name: "Andere", founded_on: "", chair_name: "", coordinator_name: "", info_officer_name: "" });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain("De code LIVC-24062 is al in gebruik");
  });

  it("records membership, status and framework, and shows readiness as a checklist without a score", async () => {
    const livc = (await livcByCode(ctx().database.db, "LIVC-24062"))!;
    const base = `/registry/${livc.id}`;
    expect((await post(`${base}/memberships/new`, { nis: "24062", joined_on: "2019-02-01", left_on: "" })).statusCode).toBe(303);
    expect((await post(`${base}/status/new`, { status: "being_set_up", from_on: "2019-02-01", note: "" })).statusCode).toBe(303);
    expect((await post(`${base}/status/new`, { status: "operational", from_on: "2019-05-01", note: "" })).statusCode).toBe(303);
    const noStatus = await post(`${base}/status/new`, { status: "sleeping", from_on: "2019-05-01", note: "" });
    expect(noStatus.statusCode).toBe(400);
    expect(noStatus.body).toContain('href="#status"');
    expect(
      (
        await post(`${base}/frameworks/new`, {
          participants: "Burgemeester, coördinator, information officer, CLB",
          purpose: "Casusoverleg",
          working_arrangements: "Maandelijks",
          adopted_on: "2019-04-01",
        })
      ).statusCode,
    ).toBe(303);
    const page = await app.inject({ url: base, headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Klaar om te werken");
    expect(page.body).toContain("Een controlelijst van feiten, geen score.");
    expect(page.body).toMatch(/<span class="tag green">Ja<\/span> Voorzitter aangeduid/);
    expect(page.body).toMatch(/<span class="tag grey">Nog niet<\/span> Coördinator aangeduid/);
    expect(page.body).toMatch(/<span class="tag green">Ja<\/span> Overlegkader vastgesteld/);
    expect(page.body).toContain("PZ Leuven");
    // Being set up on 2019-03-01: not yet covering; operational from 2019-05-01.
    expect((await coverageReport(ctx().database.db, "2019-03-01")).without.some((w) => w.nis === "24062")).toBe(true);
    expect((await coverageReport(ctx().database.db, "2019-06-01")).without.some((w) => w.nis === "24062")).toBe(false);
    // The analyst reads but does not change.
    expect((await post(`${base}/status/new`, { status: "dormant", from_on: "2022-01-01", note: "" }, analyst)).statusCode).toBe(403);
  });

  it("ends a membership through the form; a date before the start is refused", async () => {
    const livc = (await livcByCode(ctx().database.db, "LIVC-24062"))!;
    const m = await ctx().database.db.selectFrom("livc_membership").select("id").where("livc_id", "=", livc.id).executeTakeFirstOrThrow();
    const url = `/registry/${livc.id}/memberships/${m.id}/end`;
    const bad = await post(url, { left_on: "2018-01-01" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("De einddatum moet na de begindatum liggen");
    expect((await post(url, { left_on: "2023-01-01" })).statusCode).toBe(303);
    expect((await coverageReport(ctx().database.db, "2023-01-01")).without.some((w) => w.nis === "24062")).toBe(true);
    expect((await app.inject({ url: `/registry/${livc.id}/memberships/nope/end`, headers: admin.headers() })).statusCode).toBe(404);
  });

  it("records an obstacle; reason 'other' needs a note; an unknown municipality is refused", async () => {
    const other = await post("/registry/obstacles", { nis: "24062", recorded_on: "2023-02-01", reason: "other", note: "" });
    expect(other.statusCode).toBe(400);
    expect(other.body).toContain('href="#note"');
    const unknown = await post("/registry/obstacles", { nis: "99999", recorded_on: "2023-02-01", reason: "capacity", note: "" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain("Gemeente 99999 bestaat op geen enkele dag van die periode");
    const ok = await post("/registry/obstacles", { nis: "24062", recorded_on: "2023-02-01", reason: "capacity", note: "" });
    expect(ok.statusCode).toBe(303);
    expect((await obstaclesOf(ctx().database.db, "24062")).map((o) => o.reason)).toEqual(["capacity"]);
    const r = await coverageReport(ctx().database.db, "2023-03-01");
    expect(r.obstacles).toContainEqual({ reason: "capacity", municipalities: 1, inherited: 0 });
    const audit = await ctx().database.db.selectFrom("audit_entry").select("action").where("action", "like", "registry.%").execute();
    expect(new Set(audit.map((a) => a.action))).toEqual(
      new Set(["registry.livc.create", "registry.membership.add", "registry.status.set", "registry.framework.add", "registry.membership.end", "registry.obstacle.add"]),
    );
  });
});
