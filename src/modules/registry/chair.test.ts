/**
 * Decision 0044: the chair records the framework versions of their own LIVC; regional analysts and
 * administrators record, correct and end obstacles, with the history kept.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { buildApp } from "../../platform/web/app";
import { coverageReport } from "../monitoring/service";
import { frameworksOf, importObstacles, obstacleHistory, registerRevision } from "./service";

const FRAMEWORK = { participants: "Burgemeester, coördinator, CLB, politie", purpose: "Casusoverleg over radicalisering", working_arrangements: "Maandelijks, dossiers vooraf", adopted_on: "2024-01-15" };
// Aartselaar: a municipality without an LIVC in this suite.
const NIS = "11001";

describeEachDialect("the chair's framework versions and the analysts' obstacles", (ctx) => {
  let app: FastifyInstance;
  let livcA: string;
  let livcB: string;
  const s: Record<"admin" | "analyst" | "chairA" | "chairB" | "coordinatorA" | "officerA" | "partnerA", LoginSession> = {} as never;
  let chairBId: string;
  const db = () => ctx().database.db;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livcA = await makeTestLivc(ctx().database, {}, livcInput("LIVC-CHAIR-A", "LIVC Voorzitter A"), ["24062"]);
    livcB = await makeTestLivc(ctx().database, {}, livcInput("LIVC-CHAIR-B", "LIVC Voorzitter B"), ["44021"]);
    s.admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    s.analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    s.chairA = await login(app, await createUser(ctx(), { roles: [{ livcId: livcA, role: "chair" }] }));
    const chairB = await createUser(ctx(), { roles: [{ livcId: livcB, role: "chair" }] });
    chairBId = chairB.id;
    s.chairB = await login(app, chairB);
    s.coordinatorA = await login(app, await createUser(ctx(), { roles: [{ livcId: livcA, role: "coordinator" }] }));
    s.officerA = await login(app, await createUser(ctx(), { roles: [{ livcId: livcA, role: "information_officer" }] }));
    s.partnerA = await login(app, await createUser(ctx(), { roles: [{ livcId: livcA, role: "partner_member" }] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (url: string, fields: Record<string, string>, who: LoginSession) =>
    app.inject({ method: "POST", url, headers: who.headers({ form: true }), payload: who.form(fields) });
  const get = (url: string, who: LoginSession) => app.inject({ url, headers: who.headers() });

  it("the chair records a new version after a refused empty field; versions are kept, the revision bumps, audited", async () => {
    const page = await get(`/registry/${livcA}`, s.chairA);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/registry/${livcA}/frameworks/new"`);
    // The core data stays with the administrator.
    expect(page.body).not.toContain(`href="/registry/${livcA}/edit"`);
    expect((await get(`/registry/${livcA}/edit`, s.chairA)).statusCode).toBe(403);
    expect((await get(`/registry/${livcA}/frameworks/new`, s.chairA)).statusCode).toBe(200);

    const refused = await post(`/registry/${livcA}/frameworks/new`, { ...FRAMEWORK, participants: "  " }, s.chairA);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('href="#participants"');
    expect(refused.body).toContain("Casusoverleg over radicalisering");
    expect(await frameworksOf(db(), livcA)).toEqual([]);

    const before = await registerRevision(db());
    const ok = await post(`/registry/${livcA}/frameworks/new`, FRAMEWORK, s.chairA);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/registry/${livcA}?saved=1`);
    expect(await registerRevision(db())).toBe(before + 1);
    // The next form starts from the current text; a second version is appended, the first kept.
    expect((await get(`/registry/${livcA}/frameworks/new`, s.chairA)).body).toContain("Maandelijks, dossiers vooraf");
    expect((await post(`/registry/${livcA}/frameworks/new`, { ...FRAMEWORK, working_arrangements: "Tweewekelijks", adopted_on: "2025-06-01" }, s.chairA)).statusCode).toBe(303);
    const versions = await frameworksOf(db(), livcA);
    expect(versions.map((f) => [f.version, f.working_arrangements, f.adopted_on])).toEqual([
      [1, "Maandelijks, dossiers vooraf", "2024-01-15"],
      [2, "Tweewekelijks", "2025-06-01"],
    ]);
    const entries = await db().selectFrom("audit_entry").select(["actor_role", "outcome"]).where("action", "=", "registry.framework.add").where("livc_id", "=", livcA).execute();
    expect(entries).toEqual([
      { actor_role: "chair", outcome: "success" },
      { actor_role: "chair", outcome: "success" },
    ]);
  });

  it("refuses the framework to another LIVC's chair (403, audited as denied), coordinator, information officer, partner member and analyst", async () => {
    const url = `/registry/${livcA}/frameworks/new`;
    const other = await post(url, FRAMEWORK, s.chairB);
    expect(other.statusCode).toBe(403);
    expect((await get(url, s.chairB)).statusCode).toBe(403);
    const denied = await db()
      .selectFrom("audit_entry")
      .select("seq")
      .where("action", "=", "registry.framework.add")
      .where("outcome", "=", "denied")
      .where("livc_id", "=", livcA)
      .where("actor_id", "=", chairBId)
      .execute();
    expect(denied).toHaveLength(2);
    for (const who of [s.coordinatorA, s.officerA, s.partnerA, s.analyst]) {
      expect((await post(url, FRAMEWORK, who)).statusCode).toBe(403);
      expect((await get(url, who)).statusCode).toBe(403);
    }
    // The coordinator and the analyst see the LIVC page, without the link.
    for (const who of [s.coordinatorA, s.analyst]) {
      const page = await get(`/registry/${livcA}`, who);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(`href="${url}"`);
    }
    expect(await frameworksOf(db(), livcA)).toHaveLength(2);
    // The administrator still can.
    expect((await post(url, { ...FRAMEWORK, adopted_on: "2026-01-01" }, s.admin)).statusCode).toBe(303);
    expect(await frameworksOf(db(), livcA)).toHaveLength(3);
  });

  it("an analyst records, corrects and ends an obstacle; history kept, coverage follows, the revision bumps each time", async () => {
    const r0 = await registerRevision(db());
    const added = await post("/registry/obstacles", { nis: NIS, recorded_on: "2023-02-01", reason: "capacity", note: "" }, s.analyst);
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`/registry/obstacles?nis=${NIS}&saved=1`);
    const [o] = await obstacleHistory(db(), NIS);
    expect((await get(`/registry/obstacles?nis=${NIS}`, s.analyst)).body).toContain(`href="/registry/obstacles/${o.id}/correct"`);

    // Correct: 'other' needs a note (typed value kept); nothing changed is refused.
    const noNote = await post(`/registry/obstacles/${o.id}/correct`, { reason: "other", note: "" }, s.analyst);
    expect(noNote.statusCode).toBe(400);
    expect(noNote.body).toContain('href="#note"');
    expect(noNote.body).toMatch(/value="other"[^>]*checked/);
    expect((await post(`/registry/obstacles/${o.id}/correct`, { reason: "capacity", note: "" }, s.analyst)).statusCode).toBe(400);
    expect((await post(`/registry/obstacles/${o.id}/correct`, { reason: "few_cases", note: "Twee meldingen per jaar" }, s.analyst)).statusCode).toBe(303);
    expect((await coverageReport(db(), "2023-03-01")).obstacles).toEqual([{ reason: "few_cases", municipalities: 1, inherited: 0 }]);

    // End: a day before it was recorded is refused on the field (value kept), then ended on 2024-01-01.
    const early = await post(`/registry/obstacles/${o.id}/end`, { ended_on: "2023-01-01" }, s.analyst);
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('href="#ended_on"');
    expect(early.body).toContain('value="2023-01-01"');
    expect((await post(`/registry/obstacles/${o.id}/end`, { ended_on: "2024-01-01" }, s.analyst)).statusCode).toBe(303);
    expect((await coverageReport(db(), "2023-12-31")).obstacles).toEqual([{ reason: "few_cases", municipalities: 1, inherited: 0 }]);
    expect((await coverageReport(db(), "2024-01-01")).obstacles).toEqual([]);
    expect(await registerRevision(db())).toBe(r0 + 3);

    const [now] = await obstacleHistory(db(), NIS);
    expect({ reason: now.reason, note: now.note, ended_on: now.ended_on }).toEqual({ reason: "few_cases", note: "Twee meldingen per jaar", ended_on: "2024-01-01" });
    expect(now.earlier.map((c) => [c.kind, c.reason, c.note, c.ended_on])).toEqual([
      ["correct", "capacity", "", null],
      ["end", "few_cases", "Twee meldingen per jaar", null],
    ]);
    const page = await get(`/registry/obstacles?nis=${NIS}`, s.analyst);
    expect(page.body).toContain("Onvoldoende capaciteit");
    expect(page.body).toContain("niet meer vanaf");
    const actions = await db().selectFrom("audit_entry").select("action").where("resource_id", "=", o.id).orderBy("seq").execute();
    expect(actions.map((a) => a.action)).toEqual(["registry.obstacle.correct", "registry.obstacle.end"]);

    // Re-importing the row the obstacle started as does not bring the corrected values back.
    const again = await importObstacles(ctx().database, {}, `nis,recorded_on,reason,note\n${NIS},2023-02-01,capacity,\n`);
    expect(again.added).toBe(0);
  });

  it("obstacles: the administrator may, chairs and coordinators may not; a bad municipality on the lookup is linked to its field", async () => {
    const [o] = await obstacleHistory(db(), NIS);
    for (const who of [s.chairA, s.coordinatorA]) {
      expect((await get("/registry/obstacles", who)).statusCode).toBe(403);
      expect((await post(`/registry/obstacles/${o.id}/end`, { ended_on: "" }, who)).statusCode).toBe(403);
      expect((await post("/registry/obstacles", { nis: NIS, recorded_on: "2023-05-01", reason: "capacity", note: "" }, who)).statusCode).toBe(403);
    }
    expect((await obstacleHistory(db(), NIS))[0].ended_on).toBe("2024-01-01");
    // The administrator lets it apply again (empty end date).
    expect((await post(`/registry/obstacles/${o.id}/end`, { ended_on: "" }, s.admin)).statusCode).toBe(303);
    expect((await coverageReport(db(), "2024-06-01")).obstacles).toEqual([{ reason: "few_cases", municipalities: 1, inherited: 0 }]);
    const bad = await get("/registry/obstacles?nis=123", s.analyst);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#nis"');
    expect(bad.body).toContain('value="123"');
    expect((await get("/registry/obstacles/nope/correct", s.analyst)).statusCode).toBe(404);
  });

  it("refuses posts without the CSRF token and changes nothing", async () => {
    const [o] = await obstacleHistory(db(), NIS);
    const versions = (await frameworksOf(db(), livcA)).length;
    const bare = (url: string, who: LoginSession, fields: Record<string, string>) =>
      app.inject({ method: "POST", url, headers: who.headers({ form: true }), payload: new URLSearchParams(fields).toString() });
    expect((await bare(`/registry/${livcA}/frameworks/new`, s.chairA, FRAMEWORK)).statusCode).toBe(403);
    expect((await bare(`/registry/obstacles/${o.id}/correct`, s.analyst, { reason: "capacity", note: "" })).statusCode).toBe(403);
    expect((await bare(`/registry/obstacles/${o.id}/end`, s.analyst, { ended_on: "2025-01-01" })).statusCode).toBe(403);
    expect(await frameworksOf(db(), livcA)).toHaveLength(versions);
    const [after] = await obstacleHistory(db(), NIS);
    expect({ reason: after.reason, ended_on: after.ended_on, earlier: after.earlier.length }).toEqual({ reason: "few_cases", ended_on: null, earlier: 3 });
  });
});
