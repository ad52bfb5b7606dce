import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { scheduleMeeting } from "../meetings/service";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import { openCaseFromScreening } from "./service";
import { makeActor, makeLivc, makeOrganisation } from "./testing";

/**
 * Decision 0061: the case page offers as action owner only organisations whose members can see the case
 * (the core members' services; services invited for the case that accepted, see action-owners.test.ts):
 * not a partner merely seated in the LIVC, not a service whose invitation is still pending.
 */
describeEachDialect("case action owners", (ctx) => {
  let app: FastifyInstance;
  let caseId: string;
  let coordinator: TestUser;
  const org: Record<string, string> = {};

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    const livc = await makeLivc(ctx(), "OWNERS");
    org.seated = await makeOrganisation(ctx(), "Politiezone Zetel", "local_police");
    org.ended = await makeOrganisation(ctx(), "OCMW Vroeger", "ocmw_social_service");
    org.invited = await makeOrganisation(ctx(), "CLB Uitgenodigd", "clb");
    org.elsewhere = await makeOrganisation(ctx(), "School Elders", "school_primary");
    org.core = await makeOrganisation(ctx(), "Stad Preventiedienst", "prevention_service");
    await partners.addSeat(ctx(), {}, { livcId: livc, seat: "partner", organisationId: org.seated, fromOn: "2020-01-01" });
    await partners.addSeat(ctx(), {}, { livcId: livc, seat: "partner", organisationId: org.ended, fromOn: "2020-01-01", toOn: "2021-01-01" });
    coordinator = await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator", organisationId: org.core }] });
    const actor = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    caseId = (await openCaseFromScreening(ctx(), { actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Olaf Fictief", dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" })).id;
    await addFramework(ctx().database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    await scheduleMeeting(ctx(), { actor }, { livcId: livc, heldOn: "2099-12-20", startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId, organisationIds: [org.invited] }] });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const ownerSelect = (html: string) => html.slice(html.indexOf('id="owner"'), html.indexOf("</select>", html.indexOf('id="owner"')));

  it("offers the core service only (not seated, pending or ended), and refuses another owner with a field error", async () => {
    const s = await login(app, coordinator);
    const page = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: s.headers() });
    expect(page.statusCode).toBe(200);
    const select = ownerSelect(page.body);
    expect(select).toContain(`value="${org.core}"`);
    expect(select).not.toContain(`value="${org.seated}"`);
    expect(select).not.toContain(`value="${org.invited}"`);
    expect(select).not.toContain(`value="${org.ended}"`);
    expect(select).not.toContain(`value="${org.elsewhere}"`);

    const bad = await app.inject({ method: "POST", url: `/cases/${caseId}/actions`, headers: s.headers({ form: true }), payload: s.form({ description: "Huisbezoek", owner: org.seated, due_on: "2099-01-01" }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Kies een organisatie die deze casus kan inzien");
    expect(bad.body).toContain('href="#owner"');
    expect(bad.body).toContain("Huisbezoek");
    expect(await ctx().database.db.selectFrom("case_action").select("id").where("case_id", "=", caseId).execute()).toHaveLength(0);

    for (const owner of [org.invited, org.elsewhere]) {
      const refused = await app.inject({ method: "POST", url: `/cases/${caseId}/actions`, headers: s.headers({ form: true }), payload: s.form({ owner, due_on: "2099-01-01" }) });
      expect(refused.statusCode).toBe(400);
    }
    const ok = await app.inject({ method: "POST", url: `/cases/${caseId}/actions`, headers: s.headers({ form: true }), payload: s.form({ owner: org.core, due_on: "2099-01-01" }) });
    expect(ok.statusCode).toBe(303);
    const owners = (await ctx().database.db.selectFrom("case_action").select("owner_organisation_id").where("case_id", "=", caseId).execute()).map((r) => r.owner_organisation_id);
    expect(owners).toEqual([org.core]);
    // The plan shows the owner's name.
    const after = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: s.headers() });
    expect(after.body).toContain("Stad Preventiedienst");
  });
});
