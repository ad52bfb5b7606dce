import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect, queriesOf } from "../../../test/support/db";
import { loadSessionWithAccount, pendingApprovalsFor, SESSION_COOKIE, SESSION_WITH_ACCOUNT, SESSION_WITH_ACCOUNT_API } from "../../platform/auth/session";
import { buildApp } from "../../platform/web/app";
import * as caseService from "../cases/service";
import { makeActor, makeLivc } from "../cases/testing";
import * as store from "./store";

/**
 * Four eyes on an administrator's LIVC role grant (decision 0049), over HTTP with real logins: a
 * pending grant gives no access; only another administrator or the LIVC's own chair or coordinator
 * decides, never the requester or the grantee; refusals keep their reason; everything audited.
 */
describeEachDialect("four-eyes approval of LIVC roles", (ctx, dialect) => {
  let app: FastifyInstance;
  let livcX: string;
  let livcY: string;
  let caseX: string;
  let adminA: TestUser;
  let adminB: TestUser;
  let chairX: TestUser;
  let chairY: TestUser;
  let a: LoginSession;
  let b: LoginSession;
  let chairXs: LoginSession;
  let chairYs: LoginSession;
  const db = () => ctx().database.db;
  /** Keeps the cookie jar current (an approval rotates the grantee's session id on their next request). */
  const get = async (s: LoginSession, url: string) => {
    const res = await app.inject({ url, headers: s.headers() });
    s.jar.take(res);
    return res;
  };
  const post = (s: LoginSession, url: string, fields: Record<string, string> = {}) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const request = async (by: LoginSession, userId: string, livcId: string, role: string) => {
    const res = await post(by, `/admin/accounts/${userId}/memberships`, { livc_id: livcId, role, organisation_id: "", valid_from: "", valid_to: "" });
    expect(res.statusCode).toBe(303);
    const rows = await store.membershipsOf(db(), userId);
    return rows[rows.length - 1];
  };
  const approvalOf = async (id: string) => (await db().selectFrom("membership").select(["approval", "decided_by", "refusal_reason"]).where("id", "=", id).executeTakeFirstOrThrow());
  const audited = (action: string, id: string) =>
    db().selectFrom("audit_entry").select(["actor_id", "outcome", "livc_id"]).where("action", "=", action).where("resource_id", "=", id).orderBy("seq").execute();

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livcX = await makeLivc(ctx());
    livcY = await makeLivc(ctx());
    const coordinator = await makeActor(ctx(), [{ livcId: livcX, role: "coordinator" }]);
    caseX = (
      await caseService.openCaseFromScreening(ctx(), { actor: coordinator }, { livcId: livcX, reportId: null, minor: false, identity: { fullName: "Fictieve Persoon", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" })
    ).id;
    adminA = await createUser(ctx(), { platformRoles: ["admin"], displayName: "Ann Beheerder" });
    adminB = await createUser(ctx(), { platformRoles: ["admin"], displayName: "Bert Beheerder" });
    chairX = await createUser(ctx(), { roles: [{ livcId: livcX, role: "chair" }] });
    a = await login(app, adminA);
    b = await login(app, adminB);
    chairXs = await login(app, chairX);
    chairY = await createUser(ctx(), { roles: [{ livcId: livcY, role: "chair" }] });
    chairYs = await login(app, chairY);
  }, 120_000);
  afterAll(async () => app?.close());

  it("a pending grant gives no access; the requester cannot approve it, a chair of another LIVC cannot; the LIVC's chair approves it on /livc-roles and the next request has access", async () => {
    const grantee = await createUser(ctx(), { displayName: "Nina Nieuwkomer" });
    const g = await login(app, grantee);
    const m = await request(a, grantee.id, livcX, "coordinator");
    expect(m.approval).toBe("pending");
    expect((await get(g, "/cases")).statusCode).toBe(403);
    expect((await get(g, `/cases/${caseX}`)).statusCode).toBe(403);
    expect(await audited("account.membership.request", m.id)).toEqual([{ actor_id: adminA.id, outcome: "success", livc_id: livcX }]);

    // The requester sees it without the buttons, with the reason, and cannot approve it by posting.
    const own = await get(a, "/admin/approvals");
    expect(own.body).toContain("Nina Nieuwkomer");
    expect(own.body).toContain("U vroeg deze rol zelf aan");
    expect(own.body).not.toContain(`/admin/approvals/${m.id}/approve`);
    expect(own.body).toContain(`/admin/approvals/${m.id}/withdraw`);
    expect((await post(a, `/admin/approvals/${m.id}/approve`)).statusCode).toBe(403);
    // A chair of LIVC Y decides nothing in X (posting to X's route or through Y's).
    expect((await post(chairYs, `/livc-roles/${livcX}/requests/${m.id}/approve`)).statusCode).toBe(403);
    expect((await post(chairYs, `/livc-roles/${livcY}/requests/${m.id}/approve`)).statusCode).toBe(404);
    expect((await approvalOf(m.id)).approval).toBe("pending");
    expect((await audited("account.membership.approve", m.id)).map((e) => [e.actor_id, e.outcome])).toEqual([
      [adminA.id, "denied"],
      [chairY.id, "denied"],
    ]);

    // The LIVC's chair sees it on /livc-roles (and the count in the navigation), and approves it; CSRF required.
    const page = await get(chairXs, `/livc-roles/${livcX}`);
    expect(page.body).toContain("Nina Nieuwkomer");
    expect(page.body).toContain(`action="/livc-roles/${livcX}/requests/${m.id}/approve"`);
    expect(page.body).toMatch(/href="\/livc-roles"[^>]*>Rollen in het LIVC <span class="tag">1<\/span>/);
    const noCsrf = await app.inject({ method: "POST", url: `/livc-roles/${livcX}/requests/${m.id}/approve`, headers: chairXs.headers({ form: true }), payload: "" });
    expect(noCsrf.statusCode).toBe(403);
    expect((await approvalOf(m.id)).approval).toBe("pending");
    const ok = await post(chairXs, `/livc-roles/${livcX}/requests/${m.id}/approve`);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/livc-roles/${livcX}?done=approved`);
    expect(await approvalOf(m.id)).toEqual({ approval: "approved", decided_by: chairX.id, refusal_reason: null });
    expect((await get(g, `/cases/${caseX}`)).statusCode).toBe(200);
    expect((await audited("account.membership.approve", m.id)).filter((e) => e.outcome === "success")).toEqual([{ actor_id: chairX.id, outcome: "success", livc_id: livcX }]);
    expect((await get(chairXs, `/livc-roles/${livcX}`)).body).not.toContain(`/requests/${m.id}/approve`);
  });

  it("the grantee cannot approve their own grant (a chair asked for as coordinator in the same LIVC); a second administrator can", async () => {
    const chair2 = await createUser(ctx(), { roles: [{ livcId: livcX, role: "chair" }], displayName: "Karel Tweede" });
    const c2 = await login(app, chair2);
    const m = await request(a, chair2.id, livcX, "coordinator");
    const page = await get(c2, `/livc-roles/${livcX}`);
    expect(page.body).toContain("Deze rol is voor uzelf");
    expect(page.body).not.toContain(`/requests/${m.id}/approve`);
    expect((await post(c2, `/livc-roles/${livcX}/requests/${m.id}/approve`)).statusCode).toBe(403);
    expect((await approvalOf(m.id)).approval).toBe("pending");
    const list = await get(b, "/admin/approvals");
    expect(list.body).toContain(`action="/admin/approvals/${m.id}/approve"`);
    expect((await post(b, `/admin/approvals/${m.id}/approve`)).statusCode).toBe(303);
    expect((await approvalOf(m.id)).approval).toBe("approved");
  });

  it("a refusal needs a reason (summary linked to that request's field), keeps it, and the role never gives access", async () => {
    const grantee = await createUser(ctx(), { displayName: "Rik Geweigerd" });
    const g = await login(app, grantee);
    const m = await request(a, grantee.id, livcX, "information_officer");
    const bad = await post(b, `/admin/approvals/${m.id}/refuse`, { reason: "   " });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain(`href="#reason-${m.id}"`);
    expect(bad.body).toContain(`id="reason-${m.id}-error"`);
    const refused = await post(b, `/admin/approvals/${m.id}/refuse`, { reason: "Niet afgesproken met het LIVC" });
    expect(refused.statusCode).toBe(303);
    expect(await approvalOf(m.id)).toEqual({ approval: "refused", decided_by: adminB.id, refusal_reason: "Niet afgesproken met het LIVC" });
    expect((await get(g, `/cases/${caseX}`)).statusCode).toBe(403);
    expect((await post(chairXs, `/livc-roles/${livcX}/requests/${m.id}/approve`)).statusCode).toBe(404);
    expect((await approvalOf(m.id)).approval).toBe("refused");
    const account = await get(a, `/admin/accounts/${grantee.id}`);
    expect(account.body).toContain("geweigerd");
    expect(account.body).toContain("Niet afgesproken met het LIVC");
    expect(account.body).not.toContain(`/memberships/${m.id}/end`);
    expect(await audited("account.membership.refuse", m.id)).toEqual([{ actor_id: adminB.id, outcome: "success", livc_id: livcX }]);
    // A refused request does not block asking again.
    expect((await request(a, grantee.id, livcX, "information_officer")).approval).toBe("pending");
  });

  it("only the requester withdraws; the count in the session (navigation) follows who may decide", async () => {
    const grantee = await createUser(ctx());
    // A partner member needs an organisation: refused (400), nothing stored, nothing to decide.
    expect((await post(a, `/admin/accounts/${grantee.id}/memberships`, { livc_id: livcY, role: "partner_member", organisation_id: "", valid_from: "", valid_to: "" })).statusCode).toBe(400);
    const r = await request(a, grantee.id, livcY, "coordinator");
    // What the auth hooks count for the navigation of the person behind a session: the page's session
    // statement itself (decision 0079), the same as the count in a statement of its own.
    const countOf = async (s: LoginSession) => {
      const found = (await loadSessionWithAccount(ctx().database, ctx().config, tokenOf(s)))!;
      expect(found.pendingApprovals).toBe(await pendingApprovalsFor(ctx().database, found.account!.userId));
      return found.pendingApprovals;
    };
    expect(await countOf(b)).toBeGreaterThan((await countOf(a)) ?? 0);
    expect(await countOf(chairYs)).toBe(1);
    // Someone who decides nothing: no count at all (null), and the JSON API's statement has none either.
    const granteeSession = await login(app, grantee);
    expect((await loadSessionWithAccount(ctx().database, ctx().config, tokenOf(granteeSession)))!.pendingApprovals).toBeNull();
    expect((await loadSessionWithAccount(ctx().database, ctx().config, tokenOf(b), Date.now(), undefined, "api"))!.pendingApprovals).toBeNull();
    // A page of someone who decides: the session statement is the only one the auth hooks run, and the
    // navigation shows its count.
    const statements = await queriesOf(db(), () => app.inject({ url: "/healthz", headers: chairYs.headers() }));
    expect(statements.map((q) => q.sql)).toEqual([SESSION_WITH_ACCOUNT[dialect]]);
    expect((await get(chairYs, "/")).body).toMatch(/href="\/livc-roles"[^>]*>[^<]*<span class="tag">1<\/span>/);
    expect((await get(b, "/admin/approvals")).body).toMatch(/href="\/admin\/approvals"[^>]*>Goedkeuringen <span class="tag">\d+<\/span>/);
    expect((await post(b, `/admin/approvals/${r.id}/withdraw`)).statusCode).toBe(403);
    expect((await post(a, `/admin/approvals/${r.id}/withdraw`)).statusCode).toBe(303);
    expect((await approvalOf(r.id)).approval).toBe("withdrawn");
    expect(await countOf(chairYs)).toBe(0);
    expect((await audited("account.membership.withdraw", r.id)).map((e) => [e.actor_id, e.outcome])).toEqual([
      [adminB.id, "denied"],
      [adminA.id, "success"],
    ]);
    // JSON API: the grant answers pending.
    const api = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${grantee.id}/memberships`, headers: a.headers({ json: true }), payload: { livc_id: livcY, role: "coordinator" } });
    expect(api.statusCode).toBe(201);
    expect(api.json().approval).toBe("pending");
    // The statement follows the person (decision 0079): someone who decides nothing gets the API's leaner
    // statement after their first page; made a chair meanwhile, their next page counts in a statement of
    // its own (never a missing count), and the one after in the session statement again.
    const later = await createUser(ctx());
    const ls = await login(app, later);
    const texts = async () => (await queriesOf(db(), () => app.inject({ url: "/healthz", headers: ls.headers() }))).map((q) => q.sql);
    expect(await texts()).toEqual([SESSION_WITH_ACCOUNT[dialect]]);
    expect(await texts()).toEqual([SESSION_WITH_ACCOUNT_API[dialect]]);
    await store.insertMembership(db(), { userId: later.id, livcId: livcY, role: "chair" }, { state: "approved" });
    const becoming = await texts();
    expect(becoming).toHaveLength(2);
    expect(becoming[0]).toBe(SESSION_WITH_ACCOUNT_API[dialect]);
    expect(await texts()).toEqual([SESSION_WITH_ACCOUNT[dialect]]);
    const pending = await pendingApprovalsFor(ctx().database, later.id);
    expect(pending).toBeGreaterThanOrEqual(1);
    expect((await get(ls, "/")).body).toMatch(new RegExp(`href="/livc-roles"[^>]*>[^<]*<span class="tag">${pending}</span>`));
  });
});

/** The session cookie's value of a logged-in test session. */
const tokenOf = (s: LoginSession) => new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(s.cookie)?.[1];
