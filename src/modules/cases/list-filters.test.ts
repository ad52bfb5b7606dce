import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { openCaseFromScreening } from "./service";
import { makeActor, makeLivc } from "./testing";
import type { CaseStatus } from "./workflow";

const rowsOf = (html: string) => [...html.matchAll(/<tr><td><a href="\/cases\/([0-9a-f-]{36})">/g)].map((m) => m[1]);

/**
 * The case list's filters: a status (or "open": still followed up) and the next review (due today or
 * earlier, or within 30 days; soonest first, for the next consultation's agenda). Paging and the CSV
 * export keep them; the need-to-know filter still applies underneath.
 */
describeEachDialect("case list filters", (ctx) => {
  let app: FastifyInstance;
  let chair: TestUser;
  let session: Awaited<ReturnType<typeof login>>;
  const today = todayInBrussels();
  const made: Record<string, string> = {};

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    const livc = await makeLivc(ctx(), `LF${Date.now() % 100000}`);
    const other = await makeLivc(ctx(), `LO${Date.now() % 100000}`);
    chair = await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] });
    const coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }, { livcId: other, role: "coordinator" }]);
    const cases: [string, string, CaseStatus, string | null][] = [
      ["overdue", livc, "in_follow_up", addDays(today, -3)],
      ["today", livc, "active", today],
      ["soon", livc, "in_follow_up", addDays(today, 20)],
      ["later", livc, "active", addDays(today, 45)],
      ["none", livc, "active", null],
      ["closed", livc, "closed", addDays(today, -1)],
      ["elsewhere", other, "active", addDays(today, -5)],
    ];
    for (const [key, livcId, status, review] of cases) {
      const c = await openCaseFromScreening(ctx(), { actor: coordinator }, { livcId, reportId: null, minor: false, identity: { fullName: `Filter ${key}`, dateOfBirth: "2000-01-01" }, screeningDecision: "take_up" });
      // Set up the facts directly: this file tests the list's filtering, not the transitions.
      await ctx().database.db.updateTable("case_file").set({ status, next_review_on: review }).where("id", "=", c.id).execute();
      made[key] = c.id;
    }
    session = await login(app, chair);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const list = async (qs: string) => {
    const res = await app.inject({ method: "GET", url: `/cases${qs}`, headers: session.headers() });
    expect(res.statusCode).toBe(200);
    return { ids: rowsOf(res.body), body: res.body };
  };
  const keysOf = (ids: string[]) => ids.map((id) => Object.entries(made).find(([, v]) => v === id)?.[0]);

  it("filters on one status, or on every open status", async () => {
    expect(keysOf((await list("?status=closed")).ids)).toEqual(["closed"]);
    expect(new Set(keysOf((await list("?status=in_follow_up")).ids))).toEqual(new Set(["overdue", "soon"]));
    expect(new Set(keysOf((await list("?status=open")).ids))).toEqual(new Set(["overdue", "today", "soon", "later", "none"]));
    expect((await list("")).ids).toHaveLength(6);
    // An unknown value is ignored (the whole list), never an error.
    expect((await list("?status=nonsense&review=x")).ids).toHaveLength(6);
  });

  it("lists reviews due by today or within 30 days, soonest first, and combines with the status", async () => {
    expect(keysOf((await list("?review=due")).ids)).toEqual(["overdue", "closed", "today"]);
    expect(keysOf((await list("?review=30")).ids)).toEqual(["overdue", "closed", "today", "soon"]);
    expect(keysOf((await list("?review=due&status=open")).ids)).toEqual(["overdue", "today"]);
    // The other LIVC's overdue case is never there: the need-to-know filter stays underneath.
    expect((await list("?review=due")).ids).not.toContain(made.elsewhere);
  });

  it("the JSON API takes review_by (soonest first) with status, and refuses a bad date", async () => {
    const api = async (qs: string) => (await app.inject({ method: "GET", url: `/api/v1/cases${qs}`, headers: session.headers() })).json() as { cases: { id: string }[] };
    expect(keysOf((await api(`?review_by=${today}`)).cases.map((c) => c.id))).toEqual(["overdue", "closed", "today"]);
    expect(keysOf((await api(`?review_by=${today}&status=active,in_follow_up`)).cases.map((c) => c.id))).toEqual(["overdue", "today"]);
    expect((await app.inject({ method: "GET", url: "/api/v1/cases?review_by=tomorrow", headers: session.headers() })).statusCode).toBe(400);
  });

  it("keeps the chosen filters in the form, the page links and the CSV export", async () => {
    const { body } = await list("?status=open&review=30");
    expect(body).toMatch(/<option value="open" selected>/);
    expect(body).toMatch(/<option value="30" selected>/);
    expect(body).toContain('href="/cases/export.csv?status=open&amp;review=30"');
    const csv = await app.inject({ method: "GET", url: "/cases/export.csv?status=open&review=30", headers: session.headers() });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split("\n").slice(1);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => !l.includes(",closed,"))).toBe(true);
  });
});
