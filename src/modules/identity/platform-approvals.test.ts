import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { pendingApprovalsFor } from "../../platform/auth/session";
import { buildApp } from "../../platform/web/app";
import { makeLivc } from "../cases/testing";
import { pendingPlatformRolesOf } from "./roles";
import * as store from "./store";

/**
 * Four eyes on the admin and dpo platform roles (decision 0049, amended), over HTTP with real logins:
 * a pending dpo request gives no access to /subject-access; neither the requester nor the grantee
 * approves it; a second administrator does; refusal keeps its reason; only the requester withdraws;
 * taking a role away stays immediate; every step audited, denials too.
 */
describeEachDialect("four-eyes approval of the admin and dpo platform roles", (ctx) => {
  let app: FastifyInstance;
  let adminA: TestUser;
  let adminB: TestUser;
  let a: LoginSession;
  let b: LoginSession;
  const db = () => ctx().database.db;
  const get = async (s: LoginSession, url: string) => {
    const res = await app.inject({ url, headers: s.headers() });
    s.jar.take(res);
    return res;
  };
  const post = (s: LoginSession, url: string, fields: Record<string, string> = {}) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const ask = async (by: LoginSession, userId: string, role: string) => {
    expect((await post(by, `/admin/accounts/${userId}/platform-roles`, { roles: role })).statusCode).toBe(303);
    const rows = await pendingPlatformRolesOf(db(), userId);
    return rows[rows.length - 1].id;
  };
  const stateOf = (id: string) => db().selectFrom("platform_role_request").select(["approval", "decided_by", "refusal_reason"]).where("id", "=", id).executeTakeFirstOrThrow();
  const audited = (action: string, id: string) => db().selectFrom("audit_entry").select(["actor_id", "outcome"]).where("action", "=", action).where("resource_id", "=", id).orderBy("seq").execute();

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    adminA = await createUser(ctx(), { platformRoles: ["admin"], displayName: "Ann Beheerder" });
    adminB = await createUser(ctx(), { platformRoles: ["admin"], displayName: "Bert Beheerder" });
    a = await login(app, adminA);
    b = await login(app, adminB);
  }, 120_000);
  afterAll(async () => app?.close());

  it("a pending dpo request gives no access to /subject-access; the requester cannot approve; a second administrator does, with CSRF", async () => {
    const grantee = await createUser(ctx(), { displayName: "Dora Privacy" });
    const g = await login(app, grantee);
    const id = await ask(a, grantee.id, "dpo");
    expect(await store.platformRolesOf(db(), grantee.id)).toEqual([]);
    expect((await get(g, "/subject-access")).statusCode).toBe(403);
    expect(await audited("account.platform_role.request", id)).toEqual([{ actor_id: adminA.id, outcome: "success" }]);

    const own = await get(a, "/admin/approvals");
    expect(own.body).toContain("Dora Privacy");
    expect(own.body).toContain("Platformrollen die wachten op goedkeuring");
    expect(own.body).not.toContain(`/admin/approvals/platform/${id}/approve`);
    expect(own.body).toContain(`/admin/approvals/platform/${id}/withdraw`);
    expect((await post(a, `/admin/approvals/platform/${id}/approve`)).statusCode).toBe(403);
    expect((await stateOf(id)).approval).toBe("pending");
    expect(await audited("account.platform_role.approve", id)).toEqual([{ actor_id: adminA.id, outcome: "denied" }]);

    // The second administrator sees the count and the buttons; without the CSRF token nothing happens.
    expect(await pendingApprovalsFor(ctx().database, adminB.id)).toBeGreaterThanOrEqual(1);
    const list = await get(b, "/admin/approvals");
    expect(list.body).toContain(`action="/admin/approvals/platform/${id}/approve"`);
    const noCsrf = await app.inject({ method: "POST", url: `/admin/approvals/platform/${id}/approve`, headers: b.headers({ form: true }), payload: "" });
    expect(noCsrf.statusCode).toBe(403);
    expect((await stateOf(id)).approval).toBe("pending");
    const ok = await post(b, `/admin/approvals/platform/${id}/approve`);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe("/admin/approvals?done=approved");
    expect(await stateOf(id)).toEqual({ approval: "approved", decided_by: adminB.id, refusal_reason: null });
    expect(await store.platformRolesOf(db(), grantee.id)).toEqual(["dpo"]);
    expect((await get(g, "/subject-access")).statusCode).toBe(200);
    expect((await audited("account.platform_role.approve", id)).map((e) => [e.actor_id, e.outcome])).toEqual([
      [adminA.id, "denied"],
      [adminB.id, "success"],
    ]);

    // Taking it away is immediate: the next request has no access.
    expect((await post(a, `/admin/accounts/${grantee.id}/platform-roles`, {})).statusCode).toBe(303);
    expect(await store.platformRolesOf(db(), grantee.id)).toEqual([]);
    expect((await get(g, "/subject-access")).statusCode).toBe(403);
  });

  it("the grantee cannot approve their own admin request; the pending request blocks an LIVC role; it is counted for others only", async () => {
    const adminC = await createUser(ctx(), { platformRoles: ["admin"] });
    const c = await login(app, adminC);
    // The form sends the whole set: keep admin, ask for dpo (JSON API).
    const api = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${adminC.id}/platform-roles`, headers: a.headers({ json: true }), payload: { roles: ["admin", "dpo"] } });
    expect(api.json()).toEqual({ id: adminC.id, roles: ["admin"], requested: ["dpo"] });
    const [{ id }] = await pendingPlatformRolesOf(db(), adminC.id);
    // B may decide it, C (the grantee) may not: the navigation count differs by exactly this request.
    expect(await pendingApprovalsFor(ctx().database, adminB.id)).toBe((await pendingApprovalsFor(ctx().database, adminC.id)) + 1);
    expect((await get(c, "/admin/approvals")).body).toContain("Deze rol is voor uzelf");
    expect((await post(c, `/admin/approvals/platform/${id}/approve`)).statusCode).toBe(403);
    expect(await audited("account.platform_role.approve", id)).toEqual([{ actor_id: adminC.id, outcome: "denied" }]);
    expect(await store.platformRolesOf(db(), adminC.id)).toEqual(["admin"]);
    // A pending admin request counts for the separation of duties (decision 0041): no LIVC role meanwhile.
    const person = await createUser(ctx());
    await ask(a, person.id, "admin");
    const livc = await post(a, `/admin/accounts/${person.id}/memberships`, { livc_id: await makeLivc(ctx()), role: "chair", organisation_id: "", valid_from: "", valid_to: "" });
    expect(livc.statusCode).toBe(400);
    expect(await store.membershipsOf(db(), person.id)).toEqual([]);
    // Asking again for a role already asked for leaves the one request.
    expect((await post(a, `/admin/accounts/${person.id}/platform-roles`, { roles: "admin" })).statusCode).toBe(303);
    expect((await pendingPlatformRolesOf(db(), person.id)).length).toBe(1);
  });

  it("a refusal needs a reason (linked summary, typed text kept), keeps it, and gives nothing; only the requester withdraws", async () => {
    const grantee = await createUser(ctx(), { displayName: "Rik Geweigerd" });
    const id = await ask(a, grantee.id, "admin");
    const bad = await post(b, `/admin/approvals/platform/${id}/refuse`, { reason: "  " });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain(`href="#reason-${id}"`);
    expect(bad.body).toContain(`id="reason-${id}-error"`);
    const refused = await post(b, `/admin/approvals/platform/${id}/refuse`, { reason: "Niet afgesproken" });
    expect(refused.statusCode).toBe(303);
    expect(await stateOf(id)).toEqual({ approval: "refused", decided_by: adminB.id, refusal_reason: "Niet afgesproken" });
    expect(await store.platformRolesOf(db(), grantee.id)).toEqual([]);
    expect((await post(b, `/admin/approvals/platform/${id}/approve`)).statusCode).toBe(404);
    expect(await audited("account.platform_role.refuse", id)).toEqual([{ actor_id: adminB.id, outcome: "success" }]);

    // Asked again; B may not withdraw A's request, A may.
    const again = await ask(a, grantee.id, "admin");
    expect((await post(b, `/admin/approvals/platform/${again}/withdraw`)).statusCode).toBe(403);
    expect((await post(a, `/admin/approvals/platform/${again}/withdraw`)).statusCode).toBe(303);
    expect((await stateOf(again)).approval).toBe("withdrawn");
    expect((await audited("account.platform_role.withdraw", again)).map((e) => [e.actor_id, e.outcome])).toEqual([
      [adminB.id, "denied"],
      [adminA.id, "success"],
    ]);
    expect(await store.platformRolesOf(db(), grantee.id)).toEqual([]);
  });

  it("approval re-checks decision 0041: admin is refused for an account that got an LIVC role meanwhile, and the request stays pending", async () => {
    const person = await createUser(ctx(), { displayName: "Lars Later" });
    const id = await ask(a, person.id, "admin");
    // An LIVC role arriving by a path without a grantor (demo data, fixtures): written directly here.
    await db()
      .insertInto("membership")
      .values({ id: crypto.randomUUID(), user_id: person.id, livc_id: await makeLivc(ctx()), role: "chair", organisation_id: null, valid_from: "2020-01-01", valid_to: null })
      .execute();
    const res = await post(b, `/admin/approvals/platform/${id}/approve`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`href="#request-${id}"`);
    expect((await stateOf(id)).approval).toBe("pending");
    expect(await store.platformRolesOf(db(), person.id)).toEqual([]);
  });

  it("account creation and the JSON API request dpo instead of giving it; regional_analyst is given at once", async () => {
    const made = await app.inject({ method: "POST", url: "/api/v1/admin/accounts", headers: a.headers({ json: true }), payload: { email: `dpo-${Date.now()}@test.schakel.invalid`, display_name: "Nieuwe DPO", roles: ["dpo", "regional_analyst"] } });
    expect(made.statusCode).toBe(201);
    expect(made.json().requested_roles).toEqual(["dpo"]);
    const userId = made.json().id as string;
    expect(await store.platformRolesOf(db(), userId)).toEqual(["regional_analyst"]);
    expect((await pendingPlatformRolesOf(db(), userId)).map((r) => r.role)).toEqual(["dpo"]);
    const page = await post(a, "/admin/accounts", { email: `dpo2-${Date.now()}@test.schakel.invalid`, display_name: "Tweede DPO", roles: "dpo" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Wacht op goedkeuring door een andere beheerder");
  });
});
