import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import * as cases from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { acknowledgeConfidentiality, scheduleMeeting } from "../meetings/service";
import { addFramework } from "../registry/service";
import { addOrganisationContact, addSeat, endSeat, removeOrganisationContact, respondToInvitation } from "./service";

const system = {};

/**
 * A partner_member role rests on the organisation's seat in that LIVC and on being its contact:
 * ending the seat, or removing the contact, ends the role in the same transaction (one audit entry
 * per role ended); reopening a seat gives nothing back.
 */
describeEachDialect("partners: ending a seat or a contact ends the partner member role", (ctx) => {
  const today = todayInBrussels();
  const yesterday = addDays(today, -1);
  let app: FastifyInstance;
  let livcA: string;
  let livcB: string;
  let clb: string;
  let school: string;
  let seatA: string;
  let member: TestUser;
  let other: TestUser;
  let caseId: string;
  const db = () => ctx().database.db;
  const rolesOf = async (userId: string) =>
    (await db().selectFrom("membership").select(["id", "livc_id", "organisation_id", "valid_from", "valid_to"]).where("user_id", "=", userId).where("role", "=", "partner_member").execute()).map(
      (m) => ({ ...m, livc: m.livc_id === livcA ? "A" : m.livc_id === livcB ? "B" : "?" }),
    );
  const endEntries = async (ids: string[]) =>
    (await db().selectFrom("audit_entry").select(["action", "resource_id"]).where("action", "=", "account.membership.end").where("resource_id", "in", ids.length ? ids : ["-"]).execute()).length;

  beforeAll(async () => {
    livcA = await makeLivc(ctx());
    livcB = await makeLivc(ctx());
    clb = await makeOrganisation(ctx(), "CLB", "clb");
    school = await makeOrganisation(ctx(), "School", "school_secondary");
    seatA = await addSeat(ctx(), system, { livcId: livcA, seat: "partner", organisationId: clb, fromOn: "2020-01-01" });
    await addSeat(ctx(), system, { livcId: livcB, seat: "partner", organisationId: clb, fromOn: "2020-01-01" });
    await addSeat(ctx(), system, { livcId: livcA, seat: "partner", organisationId: school, fromOn: "2020-01-01" });
    // The member represents the CLB in A and in B; another person represents the school in A.
    member = await createUser(ctx(), {
      roles: [
        { livcId: livcA, role: "partner_member", organisationId: clb },
        { livcId: livcB, role: "partner_member", organisationId: clb },
      ],
    });
    other = await createUser(ctx(), { roles: [{ livcId: livcA, role: "partner_member", organisationId: school }] });
    // Granted a week ago, so ending them yesterday is after their start.
    await db().updateTable("membership").set({ valid_from: addDays(today, -7) }).where("user_id", "in", [member.id, other.id]).execute();
    await addOrganisationContact(ctx(), system, clb, member.id);
    // A case of A the member was granted through a meeting inviting the CLB.
    const coordinator = await makeActor(ctx(), [{ livcId: livcA, role: "coordinator" }]);
    await addFramework(ctx().database, {}, livcA, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    caseId = (await cases.openCaseFromScreening(ctx(), { actor: coordinator }, { livcId: livcA, reportId: null, minor: false, identity: { fullName: "Fictief Geval", dateOfBirth: "2002-02-02" }, screeningDecision: "take_up" })).id;
    const meeting = await scheduleMeeting(ctx(), { actor: coordinator }, { livcId: livcA, heldOn: addDays(today, 7), startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId, organisationIds: [clb] }] });
    const inv = await db().selectFrom("consultation_case_service").select("invitation_id").where("consultation_id", "=", meeting).executeTakeFirstOrThrow();
    const actor: Actor = { userId: member.id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livcA, role: "partner_member", organisationId: clb }] };
    await respondToInvitation(ctx(), { actor }, inv.invitation_id!, { answer: "accept" });
    await acknowledgeConfidentiality(ctx(), { actor }, meeting);
    app = await buildApp(ctx(), { logger: false });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("ending the seat ends the organisation's roles in that LIVC, audited, and the granted case is gone", async () => {
    const before = await login(app, member);
    expect((await app.inject({ url: `/cases/${caseId}`, headers: before.headers() })).statusCode).toBe(200);

    expect(await endSeat(ctx(), system, seatA, yesterday)).toBe(1);
    const roles = await rolesOf(member.id);
    const inA = roles.find((r) => r.livc === "A")!;
    expect(inA.valid_to).toBe(yesterday);
    expect(roles.find((r) => r.livc === "B")?.valid_to).toBeNull();
    expect((await rolesOf(other.id))[0].valid_to).toBeNull();
    expect(await endEntries([inA.id])).toBe(1);

    // The next request of the same session already goes without the role: no case page, not in the list.
    const next = await app.inject({ url: `/cases/${caseId}`, headers: before.headers() });
    expect(next.statusCode).toBe(404);
    const after = await login(app, member);
    expect((await app.inject({ url: `/api/v1/cases/${caseId}`, headers: after.headers() })).statusCode).toBe(404);
    expect((await app.inject({ url: "/api/v1/cases", headers: after.headers() })).json().cases).toEqual([]);

    // Reopening the seat gives nothing back, and audits no role change.
    expect(await endSeat(ctx(), system, seatA, null)).toBe(0);
    expect((await rolesOf(member.id)).find((r) => r.livc === "A")?.valid_to).toBe(inA.valid_to);
    expect(await endEntries([inA.id])).toBe(1);
  });

  it("a seat ending later ends the role on its last day; a role already ending earlier is left; a later seat keeps it", async () => {
    const livc = await makeLivc(ctx());
    const org = await makeOrganisation(ctx(), "CAW", "caw");
    const seat = await addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: org, fromOn: "2020-01-01" });
    const open = await createUser(ctx(), { roles: [{ livcId: livc, role: "partner_member", organisationId: org }] });
    const early = await createUser(ctx(), { roles: [{ livcId: livc, role: "partner_member", organisationId: org }] });
    const shortRole = await db().selectFrom("membership").select("id").where("user_id", "=", early.id).executeTakeFirstOrThrow();
    await db().updateTable("membership").set({ valid_to: addDays(today, 10) }).where("id", "=", shortRole.id).execute();
    const lastDay = addDays(today, 30);
    expect(await endSeat(ctx(), system, seat, lastDay)).toBe(1);
    expect((await db().selectFrom("membership").select("valid_to").where("user_id", "=", open.id).executeTakeFirstOrThrow()).valid_to).toBe(lastDay);
    expect((await db().selectFrom("membership").select("valid_to").where("id", "=", shortRole.id).executeTakeFirstOrThrow()).valid_to).toBe(addDays(today, 10));

    // A role starting after the last day ends the day before its start: it never counts.
    const future = await createUser(ctx(), {});
    await db()
      .insertInto("membership")
      .values({ id: crypto.randomUUID(), user_id: future.id, livc_id: livc, role: "partner_member", organisation_id: org, valid_from: addDays(today, 60), valid_to: null })
      .execute();
    expect(await endSeat(ctx(), system, seat, addDays(today, 20))).toBe(2);
    expect((await db().selectFrom("membership").select("valid_to").where("user_id", "=", future.id).executeTakeFirstOrThrow()).valid_to).toBe(addDays(today, 59));
    expect((await db().selectFrom("membership").select("valid_to").where("user_id", "=", open.id).executeTakeFirstOrThrow()).valid_to).toBe(addDays(today, 20));

    // The organisation seated again from a later day: ending the earlier seat leaves the role alone.
    const livc2 = await makeLivc(ctx());
    const first = await addSeat(ctx(), system, { livcId: livc2, seat: "partner", organisationId: org, fromOn: "2020-01-01", toOn: "2020-12-31" });
    await addSeat(ctx(), system, { livcId: livc2, seat: "partner", organisationId: org, fromOn: "2021-01-01" });
    const kept = await createUser(ctx(), { roles: [{ livcId: livc2, role: "partner_member", organisationId: org }] });
    expect(await endSeat(ctx(), system, first, "2020-06-30")).toBe(0);
    expect((await db().selectFrom("membership").select("valid_to").where("user_id", "=", kept.id).executeTakeFirstOrThrow()).valid_to).toBeNull();
  });

  it("removing a contact ends that person's roles for that organisation in every LIVC from today, and only those", async () => {
    const person = await createUser(ctx(), {
      roles: [
        { livcId: livcA, role: "partner_member", organisationId: school },
        { livcId: livcB, role: "partner_member", organisationId: clb },
      ],
    });
    // Granted a week ago: the end (yesterday) is after its start.
    await db().updateTable("membership").set({ valid_from: addDays(today, -7) }).where("user_id", "=", person.id).execute();
    await addOrganisationContact(ctx(), system, clb, person.id);
    await addOrganisationContact(ctx(), system, school, person.id);
    expect(await removeOrganisationContact(ctx(), system, clb, person.id)).toBe(1);
    const roles = await rolesOf(person.id);
    const clbRole = roles.find((r) => r.organisation_id === clb)!;
    expect(clbRole.valid_to).toBe(yesterday);
    expect(roles.find((r) => r.organisation_id === school)?.valid_to).toBeNull();
    expect(await endEntries([clbRole.id])).toBe(1);
    // The CLB member in A (whose A role ended with the seat) still has B until the contact goes.
    expect(await removeOrganisationContact(ctx(), system, clb, member.id)).toBe(1);
    expect((await rolesOf(member.id)).map((r) => [r.livc, r.valid_to! < today])).toEqual(expect.arrayContaining([["A", true], ["B", true]]));
  });
});
