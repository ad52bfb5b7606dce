import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { lastEndedQuarterEnd, quarterBounds, quarterOf } from "./figures";
import { openCaseFromScreening } from "./service";
import { makeActor, makeLivc } from "./testing";

/**
 * /api/v1/figures/cases gives whole calendar quarters that have ended, and nothing narrower
 * (decision 0020): two windows a day apart would give a count of 1 to 4 away by subtraction.
 */
describeEachDialect("regional figures API: whole ended quarters only", (ctx) => {
  let app: FastifyInstance;
  let analyst: LoginSession;
  let livc: string;
  const get = (query: string) => app.inject({ method: "GET", url: `/api/v1/figures/cases?${query}`, headers: analyst.headers() });
  const livcFigures = async (query: string) => {
    const r = await get(query);
    expect(r.statusCode).toBe(200);
    return (r.json().figures as { livcId: string; quarter: string; casesOpened: number | string }[]).filter((f) => f.livcId === livc);
  };

  beforeAll(async () => {
    livc = await makeLivc(ctx(), "FIGAPI");
    const coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    const open = (openedOn: string) =>
      openCaseFromScreening(ctx(), { actor: coordinator }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Wim Fictief", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up", openedOn });
    // 2026-Q1: 7 cases, on 2026-01-10 and 2026-02-10 (six), then one more on 2026-02-11: a day-wide window would show it.
    await open("2026-01-10");
    for (let i = 0; i < 5; i++) await open("2026-02-10");
    await open("2026-02-11");
    // One case today: its quarter is running, so no window may count it yet.
    await open(todayInBrussels());
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("answers for whole quarters: the seven cases of 2026-Q1 as one figure", async () => {
    expect((await livcFigures("from=2026-01-01&to=2026-03-31")).map((f) => [f.quarter, f.casesOpened])).toEqual([["2026-Q1", 7]]);
    // A window of several quarters still gives one figure per quarter, the same as alone.
    expect((await livcFigures("from=2025-10-01&to=2026-06-30")).map((f) => [f.quarter, f.casesOpened])).toEqual([["2026-Q1", 7]]);
  });

  it("refuses every window that is not whole quarters, naming the parameter, so no day can be isolated", async () => {
    for (const [query, parameter] of [
      ["from=2026-01-01&to=2026-02-10", "to"],
      ["from=2026-01-01&to=2026-02-11", "to"],
      ["from=2026-02-11&to=2026-03-31", "from"],
      ["from=2026-01-02&to=2026-03-31", "from"],
      ["from=2026-01-01&to=2026-03-30", "to"],
      ["from=2026-04-01&to=2026-03-31", "to"],
      ["from=x&to=2026-03-31", "from"],
      ["to=2026-03-31", "from"],
      ["from=2026-01-01", "to"],
    ] as const) {
      const r = await get(query);
      expect(r.statusCode, query).toBe(400);
      expect(r.json().message, query).toMatch(new RegExp(`^${parameter} `));
      expect(r.body).not.toContain("FIGAPI");
    }
  });

  it("refuses the running quarter, so today's case is in no answer", async () => {
    const running = quarterBounds(todayInBrussels());
    const r = await get(`from=${running.from}&to=${running.to}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toContain(lastEndedQuarterEnd(todayInBrussels()));
    const ended = lastEndedQuarterEnd(todayInBrussels());
    const figures = await livcFigures(`from=${quarterBounds(ended).from}&to=${ended}`);
    expect(figures.map((f) => f.quarter)).not.toContain(quarterOf(running.from));
  });

  it("documents the rule in the route schema", async () => {
    const docs = (await app.inject({ url: "/api/docs/json", headers: analyst.headers() })).json();
    const op = docs.paths["/api/v1/figures/cases"].get;
    expect(op.description).toContain("first day of a quarter");
    expect(op.description).toContain("400");
  });
});
