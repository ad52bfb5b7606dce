import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { addSeat } from "../partners/membership";
import { actionsOfCase, addActions, openCaseFromScreening, setActionStatus } from "./service";
import { makeActor, makeLivc, makeOrganisation } from "./testing";
import { expectSealed } from "../../../test/support/sealed";

/** A lead replans an open action (text, owner, due date) on its own page; nobody else may. */
describeEachDialect("case action edit", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let clb: string;
  let school: string;
  let outsider: string;
  let coordinatorUser: TestUser;
  let officerUser: TestUser;
  let lead: Actor;
  let caseId: string;
  let actionId: string;
  let coordinator: Awaited<ReturnType<typeof login>>;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeLivc(ctx());
    clb = await makeOrganisation(ctx(), "CLB", "clb");
    school = await makeOrganisation(ctx(), "School", "school_secondary");
    outsider = await makeOrganisation(ctx(), "Elders", "caw");
    for (const organisationId of [clb, school]) await addSeat(ctx(), {}, { livcId: livc, seat: "partner", organisationId, fromOn: "2024-01-01" });
    // Decision 0061: owners are organisations that can see the case; here the core members' services.
    coordinatorUser = await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator", organisationId: clb }] });
    officerUser = await createUser(ctx(), { roles: [{ livcId: livc, role: "information_officer", organisationId: school }] });
    lead = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    const c = await openCaseFromScreening(ctx(), { actor: lead }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Actie Fictief", dateOfBirth: "2000-01-01" }, screeningDecision: "take_up" });
    caseId = c.id;
    [actionId] = await addActions(ctx(), { actor: lead }, caseId, [{ description: "TEXT-before", ownerOrganisationId: clb, dueOn: "2026-12-01" }]);
    coordinator = await login(app, coordinatorUser);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  // The form carries the revision it was loaded with (decision 0061); these tests post the current one.
  const revisionOf = async (id: string) => String((await ctx().database.db.selectFrom("case_action").select("revision").where("id", "=", id).executeTakeFirstOrThrow()).revision);
  const post = async (s: typeof coordinator, id: string, fields: Record<string, string>) =>
    app.inject({ method: "POST", url: `/cases/actions/${id}/edit`, headers: s.headers({ form: true }), payload: s.form({ revision: await revisionOf(id), ...fields }) });

  it("shows the action's current values to a lead, and keeps what was typed when refused", async () => {
    const page = await app.inject({ method: "GET", url: `/cases/actions/${actionId}/edit`, headers: coordinator.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("TEXT-before");
    expect(page.body).toContain('value="2026-12-01"');
    expect(page.body).toMatch(new RegExp(`<option value="${clb}" selected>`));
    // The case page links to it.
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: coordinator.headers() })).body).toContain(`/cases/actions/${actionId}/edit`);

    const bad = await post(coordinator, actionId, { description: "TEXT-typed", owner: outsider, due_on: "1-12-2026" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#owner"');
    expect(bad.body).toContain('href="#due_on"');
    expect(bad.body).toContain("TEXT-typed");
    expect(bad.body).toContain('value="1-12-2026"');
    const [unchanged] = await actionsOfCase(ctx(), { actor: lead }, caseId);
    expect(unchanged).toMatchObject({ description: "TEXT-before", ownerOrganisationId: clb, dueOn: "2026-12-01" });
  });

  it("saves a new text, owner and due date, with a timeline event and an audit entry in one go", async () => {
    const ok = await post(coordinator, actionId, { description: "TEXT-after", owner: school, due_on: "2027-01-15" });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/cases/${caseId}`);
    const [changed] = await actionsOfCase(ctx(), { actor: lead }, caseId);
    expect(changed).toMatchObject({ description: "TEXT-after", ownerOrganisationId: school, dueOn: "2027-01-15", status: "open" });
    const db = ctx().database.db;
    const events = await db.selectFrom("case_event").select(["kind", "reason"]).where("case_id", "=", caseId).where("kind", "=", "action_updated").execute();
    expect(events).toEqual([{ kind: "action_updated", reason: "edited" }]);
    const audit = await db.selectFrom("audit_entry").select(["action", "actor_id"]).where("action", "=", "case.plan.action_edit").where("resource_id", "=", caseId).execute();
    expect(audit).toEqual([{ action: "case.plan.action_edit", actor_id: coordinatorUser.id }]);
    // The ciphertext is not the plaintext.
    const row = await db.selectFrom("case_action").select("description_enc").where("id", "=", actionId).executeTakeFirstOrThrow();
    expectSealed(row.description_enc, "TEXT-after");
  });

  it("refuses the information officer (no plan rights), a done action, and a post without the CSRF token", async () => {
    const officer = await login(app, officerUser);
    expect((await app.inject({ method: "GET", url: `/cases/actions/${actionId}/edit`, headers: officer.headers() })).statusCode).toBe(403);
    expect((await post(officer, actionId, { description: "x", owner: clb, due_on: "2027-02-01" })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: officer.headers() })).body).not.toContain(`/cases/actions/${actionId}/edit`);

    const noCsrf = await app.inject({ method: "POST", url: `/cases/actions/${actionId}/edit`, headers: coordinator.headers({ form: true }), payload: "description=x&owner=" + clb + "&due_on=2027-02-01" });
    expect(noCsrf.statusCode).toBe(403);

    await setActionStatus(ctx(), { actor: lead }, actionId, "done");
    expect((await app.inject({ method: "GET", url: `/cases/actions/${actionId}/edit`, headers: coordinator.headers() })).statusCode).toBe(400);
    // A save on an action done since: the conflict page (decision 0061), nothing written.
    expect((await post(coordinator, actionId, { description: "x", owner: clb, due_on: "2027-02-01" })).statusCode).toBe(409);
    const [after] = await actionsOfCase(ctx(), { actor: lead }, caseId);
    expect(after).toMatchObject({ description: "TEXT-after", dueOn: "2027-01-15", status: "done", mayEdit: false });
  });
});
