import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import * as cases from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { addFramework } from "../registry/service";
import { meetingsFor, meetingView, partnerSeatsOf, scheduleMeeting } from "./service";

/**
 * The meeting list and the meeting page admit a partner member by one rule (partnerSeatsOf): an
 * organisation the person represents as partner member of THAT LIVC. The organisation being invited
 * in another LIVC, where the person has no seat, shows nothing in the list and 404 on the page.
 */
describeEachDialect("meetings: a partner member's list follows the page's rule", (ctx) => {
  let app: FastifyInstance;
  let member: LoginSession;
  let memberActor: Actor;
  let meetingA: string;
  let meetingB: string;

  beforeAll(async () => {
    const livcA = await makeLivc(ctx());
    const livcB = await makeLivc(ctx());
    const clb = await makeOrganisation(ctx(), "CLB", "clb");
    const user = await createUser(ctx(), { roles: [{ livcId: livcA, role: "partner_member", organisationId: clb }] });
    memberActor = { userId: user.id, displayName: user.displayName, sessionId: "test", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livcA, role: "partner_member", organisationId: clb }] };
    const schedule = async (livcId: string, heldOn: string) => {
      const coordinator = await makeActor(ctx(), [{ livcId, role: "coordinator" }]);
      await addFramework(ctx().database, {}, livcId, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
      const c = await cases.openCaseFromScreening(ctx(), { actor: coordinator }, { livcId, reportId: null, minor: false, identity: { fullName: "Fictief Iemand", dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" });
      return scheduleMeeting(ctx(), { actor: coordinator }, { livcId, heldOn, startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId: c.id, organisationIds: [clb] }] });
    };
    // The same organisation is invited in both LIVCs; the person has a seat in A only.
    meetingA = await schedule(livcA, "2026-12-14");
    meetingB = await schedule(livcB, "2026-12-15");
    app = await buildApp(ctx(), { logger: false });
    member = await login(app, user);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("lists only the meetings of the LIVC where the person represents the organisation", async () => {
    expect(partnerSeatsOf(memberActor).map((s) => s.livcId)).toHaveLength(1);
    expect((await meetingsFor(ctx(), memberActor)).map((m) => m.id)).toEqual([meetingA]);
    await expect(meetingView(ctx(), { actor: memberActor }, meetingB)).rejects.toMatchObject({ code: "not_found" });
    const list = await app.inject({ url: "/meetings", headers: member.headers() });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`/meetings/${meetingA}`);
    expect(list.body).not.toContain(meetingB);
  });

  it("gives 404 on the other LIVC's meeting page and admits the own one", async () => {
    expect((await app.inject({ url: `/meetings/${meetingB}`, headers: member.headers() })).statusCode).toBe(404);
    expect((await app.inject({ url: `/meetings/${meetingA}`, headers: member.headers() })).statusCode).toBe(200);
  });
});
