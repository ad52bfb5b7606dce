import { beforeAll, describe, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import type { AuditWho } from "../../platform/audit";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { decideRequest } from "./approvals";
import { decidePlatformRequest } from "./platform-approvals";
import { changePlatformRoles, endRole, pendingPlatformRolesOf, membershipState, type RoleGrant, RoleRuleError, requestRole, separationConflict } from "./roles";
import { createAccount, grantMembership, membersOfLivc } from "./service";
import * as store from "./store";

const today = todayInBrussels();
const yesterday = addDays(today, -1);

describe("membershipState", () => {
  it("is current from valid_from through valid_to, ended after, future before", () => {
    expect(membershipState({ valid_from: today, valid_to: null }, today)).toBe("current");
    expect(membershipState({ valid_from: "2020-01-01", valid_to: today }, today)).toBe("current");
    expect(membershipState({ valid_from: "2020-01-01", valid_to: yesterday }, today)).toBe("ended");
    expect(membershipState({ valid_from: addDays(today, 1), valid_to: null }, today)).toBe("future");
  });
  it("is pending, refused or withdrawn whatever the period when not approved (decision 0049)", () => {
    expect(membershipState({ valid_from: "2020-01-01", valid_to: null, approval: "pending" }, today)).toBe("pending");
    expect(membershipState({ valid_from: "2020-01-01", valid_to: null, approval: "refused" }, today)).toBe("refused");
    expect(membershipState({ valid_from: "2020-01-01", valid_to: null, approval: "withdrawn" }, today)).toBe("withdrawn");
    expect(membershipState({ valid_from: "2020-01-01", valid_to: null, approval: "approved" }, today)).toBe("current");
  });
});

/** The rules of roles.ts on the real database: every path that grants, ends or changes a role. */
describeEachDialect("LIVC and platform roles: the rules (decision 0041)", (ctx) => {
  let admin: Actor;
  let secondAdmin: Actor;
  let who: AuditWho;
  let livcId: string;
  let otherLivc: string;
  let clb: string;
  const db = () => ctx().database.db;
  let n = 0;
  const person = async () => (await makeActor(ctx(), [])).userId;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "granted",
      (e: unknown) => (e instanceof RoleRuleError ? e.code : e),
    );
  /** An administrator's request approved by a second administrator (decision 0049): the role then counts. */
  const approved = async (g: RoleGrant) => {
    const id = await requestRole(ctx(), who, g);
    await decideRequest(ctx(), { actor: secondAdmin }, id, { approve: true });
    return id;
  };
  const entries = (action: string, resourceId: string) => db().selectFrom("audit_entry").select(["actor_id", "livc_id", "outcome"]).where("action", "=", action).where("resource_id", "=", resourceId).execute();

  beforeAll(async () => {
    admin = await makeActor(ctx(), [], { isAdmin: true });
    secondAdmin = await makeActor(ctx(), [], { isAdmin: true });
    who = { actor: admin };
    livcId = await makeLivc(ctx());
    otherLivc = await makeLivc(ctx());
    clb = await makeOrganisation(ctx(), `CLB ${++n}`, "clb");
  });

  it("asks for a role: a pending row that is no membership yet; a second administrator's approval makes it one, audited, sessions marked for rotation", async () => {
    const userId = await person();
    await db().insertInto("session").values({ id: `s-${userId}`, user_id: userId, stage: "full", csrf_token: "x", auth_method: "password", created_at: today, last_seen_at: today, reauth_at: null, rotate: 0, next_path: null, pending_totp: null, oidc_sid: null }).execute();
    const id = await requestRole(ctx(), who, { userId, livcId, role: "chair" });
    expect((await membersOfLivc(ctx(), livcId)).filter((m) => m.user_id === userId)).toEqual([]);
    expect((await store.membershipsOf(db(), userId)).map((m) => [m.approval, m.requested_by])).toEqual([["pending", admin.userId]]);
    expect(await entries("account.membership.request", id)).toEqual([{ actor_id: admin.userId, livc_id: livcId, outcome: "success" }]);
    expect((await db().selectFrom("session").select("rotate").where("user_id", "=", userId).executeTakeFirstOrThrow()).rotate).toBe(0);
    await decideRequest(ctx(), { actor: secondAdmin }, id, { approve: true });
    expect((await membersOfLivc(ctx(), livcId)).filter((m) => m.user_id === userId).map((m) => m.role)).toEqual(["chair"]);
    expect(await entries("account.membership.approve", id)).toEqual([{ actor_id: secondAdmin.userId, livc_id: livcId, outcome: "success" }]);
    expect((await db().selectFrom("session").select("rotate").where("user_id", "=", userId).executeTakeFirstOrThrow()).rotate).toBe(1);
  });

  it("refuses a duplicate for an overlapping period, allows it after the first ended and in another LIVC or role", async () => {
    const userId = await person();
    await requestRole(ctx(), who, { userId, livcId, role: "coordinator", validFrom: "2025-01-01", validTo: "2025-12-31" });
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "coordinator", validFrom: "2025-06-01" }))).toBe("duplicate");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "coordinator", validFrom: "2024-01-01", validTo: "2025-01-01" }))).toBe("duplicate");
    expect(await refusal(grantMembership(ctx(), { userId, livcId, role: "coordinator", validFrom: "2025-12-31" }))).toBe("duplicate");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "coordinator", validFrom: "2026-01-01" }))).toBe("granted");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId: otherLivc, role: "coordinator", validFrom: "2025-06-01" }))).toBe("granted");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "information_officer", validFrom: "2025-06-01" }))).toBe("granted");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "chair", validFrom: "2025-06-01", validTo: "2025-05-01" }))).toBe("to_before_from");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "chair", validFrom: "1-2-2025" }))).toBe("bad_date");
  });

  it("needs an existing organisation for a reporter and a partner member, and an existing LIVC", async () => {
    const userId = await person();
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "reporter" }))).toBe("organisation_required");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "partner_member", organisationId: "" }))).toBe("organisation_required");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId, role: "reporter", organisationId: "00000000-0000-4000-8000-000000000000" }))).toBe("unknown_organisation");
    expect(await refusal(requestRole(ctx(), who, { userId, livcId: "00000000-0000-4000-8000-000000000000", role: "chair" }))).toBe("unknown_livc");
    const id = await requestRole(ctx(), who, { userId, livcId, role: "reporter", organisationId: clb });
    expect((await store.membershipsOf(db(), userId)).map((m) => [m.id, m.role, m.organisation_id])).toEqual([[id, "reporter", clb]]);
  });

  it("refuses a grant to oneself (account page and identity's grantMembership)", async () => {
    const chairToBe = await makeActor(ctx(), []);
    expect(await refusal(requestRole(ctx(), { actor: chairToBe }, { userId: chairToBe.userId, livcId, role: "chair" }))).toBe("self_grant");
    expect(await refusal(grantMembership(ctx(), { userId: chairToBe.userId, livcId, role: "chair", grantedBy: chairToBe.userId }))).toBe("self_grant");
    expect(await store.membershipsOf(db(), chairToBe.userId)).toEqual([]);
  });

  it("keeps administrators and LIVC roles apart in both directions, and on account creation", async () => {
    const otherAdmin = (await makeActor(ctx(), [], { isAdmin: true })).userId;
    expect(await refusal(requestRole(ctx(), who, { userId: otherAdmin, livcId, role: "chair" }))).toBe("admin_holds_livc_role");
    expect(await refusal(grantMembership(ctx(), { userId: otherAdmin, livcId, role: "information_officer" }))).toBe("admin_holds_livc_role");
    expect(await store.membershipsOf(db(), otherAdmin)).toEqual([]);

    const chair = await person();
    const m = await approved({ userId: chair, livcId, role: "chair" });
    expect(await refusal(changePlatformRoles(ctx(), who, chair, ["admin"]))).toBe("livc_role_holds_admin");
    expect(await refusal(changePlatformRoles(ctx(), who, chair, ["dpo"]))).toBe("granted");
    // A role that starts later counts too; one that ended does not.
    const later = await person();
    await requestRole(ctx(), who, { userId: later, livcId, role: "coordinator", validFrom: addDays(today, 30) });
    expect(await refusal(changePlatformRoles(ctx(), who, later, ["admin"]))).toBe("livc_role_holds_admin");
    await endRole(ctx(), who, chair, m, yesterday);
    expect(await refusal(changePlatformRoles(ctx(), who, chair, ["admin", "dpo"]))).toBe("granted");
    // admin and dpo are requests until a second administrator approves them (decision 0049, amended).
    expect(await store.platformRolesOf(db(), chair)).toEqual([]);
    const asked = await pendingPlatformRolesOf(db(), chair);
    expect(asked.map((r) => r.role).sort()).toEqual(["admin", "dpo"]);
    for (const r of asked) await decidePlatformRequest(ctx(), { actor: secondAdmin }, r.id, { approve: true });
    expect((await store.platformRolesOf(db(), chair)).sort()).toEqual(["admin", "dpo"]);

    const before = toCountOf(await db().selectFrom("app_user").select("id").execute());
    expect(await refusal(createAccount(ctx(), { email: `both-${Date.now()}@test.schakel.invalid`, displayName: "Beide", platformRoles: ["admin"], memberships: [{ livcId, role: "chair" }] }))).toBe("admin_holds_livc_role");
    expect(toCountOf(await db().selectFrom("app_user").select("id").execute())).toBe(before);
  });

  it("flags an account that holds both from before the rule, and lets the administrator end the LIVC role", async () => {
    const both = await person();
    const m = await store.insertMembership(db(), { userId: both, livcId, role: "chair" }, { state: "approved" });
    await store.setPlatformRoles(db(), both, ["admin"]);
    expect(await separationConflict(db(), both)).toBe(true);
    await endRole(ctx(), who, both, m, yesterday);
    expect(await separationConflict(db(), both)).toBe(false);
  });

  it("ends a role: yesterday removes it from today's members, a later day keeps it until then; audited", async () => {
    const userId = await person();
    const a = await approved({ userId, livcId, role: "information_officer", validFrom: "2025-01-01" });
    const b = await approved({ userId, livcId: otherLivc, role: "information_officer", validFrom: "2025-01-01" });
    await endRole(ctx(), who, userId, a, yesterday);
    await endRole(ctx(), who, userId, b, addDays(today, 10));
    expect((await membersOfLivc(ctx(), livcId)).some((m) => m.user_id === userId)).toBe(false);
    expect((await membersOfLivc(ctx(), otherLivc)).some((m) => m.user_id === userId)).toBe(true);
    expect((await membersOfLivc(ctx(), otherLivc, addDays(today, 11))).some((m) => m.user_id === userId)).toBe(false);
    expect(await entries("account.membership.end", a)).toEqual([{ actor_id: admin.userId, livc_id: livcId, outcome: "success" }]);
    expect(await refusal(endRole(ctx(), who, userId, a, yesterday))).toBe("already_ended");
    expect(await refusal(endRole(ctx(), who, userId, b, addDays(today, 20)))).toBe("end_after_end");
  });

  it("ends a future role no earlier than the day before it starts, and only the account's own memberships", async () => {
    const userId = await person();
    const start = addDays(today, 5);
    const pending = await requestRole(ctx(), who, { userId, livcId: otherLivc, role: "chair", validFrom: start });
    expect(await refusal(endRole(ctx(), who, userId, pending, addDays(start, -1)))).toBe("not_approved");
    const id = await approved({ userId, livcId, role: "chair", validFrom: start });
    expect(await refusal(endRole(ctx(), who, userId, id, addDays(start, -2)))).toBe("end_too_early");
    expect(await refusal(endRole(ctx(), who, await person(), id, addDays(start, -1)))).toBe("unknown_membership");
    expect(await refusal(endRole(ctx(), who, userId, id, "morgen"))).toBe("bad_date");
    await endRole(ctx(), who, userId, id, addDays(start, -1));
    expect((await store.membershipsOf(db(), userId)).find((m) => m.id === id)!.valid_to).toBe(addDays(start, -1));
  });

  it("refuses an administrator's change to their own platform roles, and keeps the last active administrator", async () => {
    expect(await refusal(changePlatformRoles(ctx(), who, admin.userId, ["admin", "dpo"]))).toBe("self_platform_roles");
    expect(await refusal(changePlatformRoles(ctx(), who, admin.userId, []))).toBe("self_platform_roles");
    // Make every other active administrator inactive, so `admin` is the last one; a job (no actor) tries to remove it.
    await db().updateTable("app_user").set({ status: "disabled" }).where("id", "in", db().selectFrom("platform_role").select("user_id").where("role", "=", "admin").where("user_id", "!=", admin.userId)).execute();
    expect(await refusal(changePlatformRoles(ctx(), {}, admin.userId, ["dpo"]))).toBe("last_admin");
    expect(await store.platformRolesOf(db(), admin.userId)).toEqual(["admin"]);
    const second = await person();
    await changePlatformRoles(ctx(), who, second, ["admin"]);
    // The request alone does not make `second` an administrator: the last-administrator rule still holds.
    expect(await refusal(changePlatformRoles(ctx(), {}, admin.userId, ["dpo"]))).toBe("last_admin");
    // Only the other (disabled) administrators could approve it; a direct row stands for an approved one here.
    await db().insertInto("platform_role").values({ user_id: second, role: "admin", granted_at: new Date().toISOString() }).execute();
    expect(await refusal(changePlatformRoles(ctx(), { actor: { ...admin, userId: second } }, admin.userId, ["regional_analyst"]))).toBe("granted");
    expect(await store.platformRolesOf(db(), admin.userId)).toEqual(["regional_analyst"]);
    expect(await entries("account.platform_roles.change", admin.userId)).toEqual([{ actor_id: second, livc_id: null, outcome: "success" }]);
  });
});

const toCountOf = (rows: unknown[]) => rows.length;
