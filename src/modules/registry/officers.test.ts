import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { membersOfLivc } from "../identity/service";
import { livcByCode } from "./service";

describeEachDialect("LIVC officers linked to accounts", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  /** A second administrator approves the first one's requests (decision 0049). */
  let admin2: LoginSession;
  let analyst: LoginSession;
  let chair: TestUser;
  let coordinator: TestUser;
  /** The chair's one login (a second login within the same TOTP step would wait for the next one). */
  let chairSession: LoginSession;
  let disabled: TestUser;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    admin2 = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    chair = await createUser(ctx(), { displayName: "Mila Fictief" });
    coordinator = await createUser(ctx(), { displayName: "Tom Fictief" });
    disabled = await createUser(ctx());
    await ctx().database.db.updateTable("app_user").set({ status: "disabled" }).where("id", "=", disabled.id).execute();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (url: string, fields: Record<string, string>, s = admin) =>
    app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const base = { code: "LIVC-OFF", name: "LIVC Officieren", founded_on: "", chair_name: "Mila Fictief", coordinator_name: "Tom Fictief", info_officer_name: "" };

  it("refuses an e-mail of no account or of a disabled account, with the field error in the summary and the input kept", async () => {
    const res = await post("/registry", { ...base, chair_email: "niemand@test.schakel.invalid", coordinator_email: disabled.email, info_officer_email: "" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#chair_email"');
    expect(res.body).toContain('href="#coordinator_email"');
    expect(res.body).not.toContain('href="#info_officer_email"');
    expect(res.body).toContain('id="chair_email-error"');
    expect(res.body).toContain("Er is geen actief account met dit e-mailadres");
    expect(res.body).toContain('value="niemand@test.schakel.invalid"');
    expect(res.body).toContain('value="Mila Fictief"');
    expect(await livcByCode(ctx().database.db, "LIVC-OFF")).toBeUndefined();
  });

  const pendingOf = (userId: string) => ctx().database.db.selectFrom("membership").select(["id", "role"]).where("user_id", "=", userId).where("approval", "=", "pending").execute();

  it("links the chair on create, asks for the chair role (pending, audited), and once a second administrator approves, the chair opens the LIVC page", async () => {
    const before = await login(app, chair);
    expect((await app.inject({ url: "/registry", headers: before.headers() })).statusCode).toBe(403);
    const res = await post("/registry", { ...base, chair_email: chair.email.toUpperCase(), coordinator_email: "", info_officer_email: "" });
    expect(res.statusCode).toBe(303);
    const livc = (await livcByCode(ctx().database.db, "LIVC-OFF"))!;
    expect(livc.chair_user_id).toBe(chair.id);
    expect(livc.coordinator_user_id).toBeNull();
    expect(await membersOfLivc(ctx(), livc.id)).toEqual([]);
    const [pending] = await pendingOf(chair.id);
    expect(pending.role).toBe("chair");
    const audited = await ctx().database.db.selectFrom("audit_entry").select(["action", "livc_id"]).where("action", "=", "account.membership.request").where("resource_id", "=", pending.id).execute();
    expect(audited).toEqual([{ action: "account.membership.request", livc_id: livc.id }]);
    chairSession = await login(app, chair);
    expect((await app.inject({ url: `/registry/${livc.id}`, headers: chairSession.headers() })).statusCode).toBe(403);
    expect((await post(`/admin/approvals/${pending.id}/approve`, {}, admin2)).statusCode).toBe(303);
    const members = await membersOfLivc(ctx(), livc.id);
    expect(members.filter((m) => m.user_id === chair.id).map((m) => m.role)).toEqual(["chair"]);

    // The approval rotates the chair's session id on the next request: keep the jar current.
    const page = await app.inject({ url: `/registry/${livc.id}`, headers: chairSession.headers() });
    chairSession.jar.take(page);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("LIVC Officieren");
    // The analyst sees that the chair has an account, never the address.
    const seen = await app.inject({ url: `/registry/${livc.id}`, headers: analyst.headers() });
    expect(seen.statusCode).toBe(200);
    expect(seen.body).toMatch(/Mila Fictief\s*<span class="tag grey">heeft een account<\/span>/);
    expect(seen.body.toLowerCase()).not.toContain(chair.email.toLowerCase());
  });

  it("links the coordinator on edit, keeps the chair link, asks for no duplicate role; the LIVC's chair approves the coordinator", async () => {
    const livc = (await livcByCode(ctx().database.db, "LIVC-OFF"))!;
    const url = `/registry/${livc.id}/edit`;
    const form = await app.inject({ url, headers: admin.headers() });
    expect(form.body).toContain(`value="${chair.email}"`);
    const bad = await post(url, { ...base, chair_email: chair.email, coordinator_email: "onbekend@test.schakel.invalid", info_officer_email: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#coordinator_email"');
    expect(bad.body).toContain('value="onbekend@test.schakel.invalid"');
    expect((await livcByCode(ctx().database.db, "LIVC-OFF"))!.coordinator_user_id).toBeNull();

    expect((await post(url, { ...base, chair_email: chair.email, coordinator_email: coordinator.email, info_officer_email: "" })).statusCode).toBe(303);
    const [pending] = await pendingOf(coordinator.id);
    expect(await pendingOf(chair.id)).toEqual([]);
    // The chair's session was rotated by the approval of their own role: post with its current CSRF token.
    const me = await app.inject({ url: "/api/v1/me", headers: chairSession.headers() });
    chairSession.jar.take(me);
    const approve = await app.inject({ method: "POST", url: `/livc-roles/${livc.id}/requests/${pending.id}/approve`, headers: chairSession.headers({ form: true }), payload: new URLSearchParams({ _csrf: me.json().csrf_token }).toString() });
    expect(approve.statusCode).toBe(303);
    const after = (await livcByCode(ctx().database.db, "LIVC-OFF"))!;
    expect(after.chair_user_id).toBe(chair.id);
    expect(after.coordinator_user_id).toBe(coordinator.id);
    const roles = (await membersOfLivc(ctx(), livc.id)).map((m) => `${m.user_id === chair.id ? "chair-user" : "coordinator-user"}:${m.role}`).sort();
    expect(roles).toEqual(["chair-user:chair", "coordinator-user:coordinator"]);
    const s = await login(app, coordinator);
    expect((await app.inject({ url: `/registry/${livc.id}`, headers: s.headers() })).statusCode).toBe(200);
  });
});
