import { Command } from "commander";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { createUser, login, type LoginSession, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { contactPoints } from "./contacts";
import { intakeModule } from "./index";
import { regionalScopeOf } from "./service";

const PROVINCES = ["Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen"];

describeEachDialect("regional contact points: admin pages and CLI", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  let chair: LoginSession;
  let person: TestUser;
  let other: TestUser;

  const db = () => ctx().database.db;
  const post = (s: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const get = (s: LoginSession, url: string) => app.inject({ method: "GET", url, headers: s.headers() });
  const actionsOf = async (id: string) => (await db().selectFrom("audit_entry").select(["action", "seq"]).where("resource_id", "=", id).orderBy("seq").execute()).map((r) => r.action);
  const scopeOf = (user: TestUser) => regionalScopeOf(ctx(), { userId: user.id, displayName: "", sessionId: "t", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [] });
  const rowsOf = async (user: TestUser) => (await contactPoints(ctx())).filter((r) => r.user_id === user.id);
  const idFromList = (html: string, user: TestUser) => new RegExp(`<tr data-id="([0-9a-f-]{36})"><td>${user.displayName}`).exec(html)?.[1];

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    chair = await login(app, await createUser(ctx(), { roles: [{ livcId: "livc-x", role: "chair" }], platformRoles: ["regional_analyst"] }));
    person = await createUser(ctx(), { displayName: "Noor Regio" });
    other = await createUser(ctx(), { displayName: "Jan Provincie" });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("an admin adds a contact point by e-mail for a province: listed, audited (no name or e-mail in the entry), the person's queue scope follows", async () => {
    const empty = await get(admin, "/admin/regional-contacts");
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain("Er zijn nog geen regionale aanspreekpunten.");
    expect(empty.body).toContain(`Geen aanspreekpunt voor: ${PROVINCES.join(", ")}.`);
    for (const p of PROVINCES) expect(empty.body).toContain(`<option value="${p}">${p}</option>`);

    const res = await post(admin, "/admin/regional-contacts", { email: `  ${person.email.toUpperCase()} `, province: "Limburg" });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/admin/regional-contacts?done=added");
    const rows = await rowsOf(person);
    expect(rows.map((r) => r.province)).toEqual(["Limburg"]);
    expect(await scopeOf(person)).toEqual({ all: false, provinces: ["Limburg"] });
    expect(await actionsOf(rows[0].id)).toEqual(["intake.regional_contact.add"]);
    const entry = await db().selectFrom("audit_entry").selectAll().where("resource_id", "=", rows[0].id).executeTakeFirstOrThrow();
    expect(JSON.stringify(entry)).not.toContain(person.email);
    expect(JSON.stringify(entry)).not.toContain("Noor");

    const list = await get(admin, "/admin/regional-contacts?done=added");
    expect(list.body).toContain("Het regionale aanspreekpunt is toegevoegd.");
    expect(idFromList(list.body, person)).toBe(rows[0].id);
    expect(list.body).toContain(person.email);
    expect(list.body).toContain("Geen aanspreekpunt voor: Antwerpen, Oost-Vlaanderen, Vlaams-Brabant, West-Vlaanderen.");
  });

  it("refuses an unknown account, a missing or unknown province and a second designation for the same province, keeping the typed input", async () => {
    const before = (await contactPoints(ctx())).length;
    const bad = await post(admin, "/admin/regional-contacts", { email: "niemand@test.schakel.invalid", province: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('class="error-summary"');
    expect(bad.body).toContain('<a href="#email">Vul het e-mailadres van een bestaand account in</a>');
    expect(bad.body).toContain('<a href="#province">Kies een provincie uit de lijst</a>');
    expect(bad.body).toContain('id="email-error"');
    expect(bad.body).toContain('id="province-error"');
    expect(bad.body).toContain('value="niemand@test.schakel.invalid"');

    const unknown = await post(admin, "/admin/regional-contacts", { email: other.email, province: "Atlantis" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('<a href="#province">');
    expect(unknown.body).toContain(`value="${other.email}"`);

    const twice = await post(admin, "/admin/regional-contacts", { email: person.email, province: "Limburg" });
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain("Deze persoon is al aanspreekpunt voor deze provincie");
    expect(twice.body).toContain('<option value="Limburg" selected>Limburg</option>');
    expect((await contactPoints(ctx())).length).toBe(before);
  });

  it("changes the province (to all of Flanders, audited), a resubmission changes nothing, a taken or unknown province is refused with the input kept", async () => {
    const [row] = await rowsOf(person);
    const page = await get(admin, `/admin/regional-contacts/${row.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="Limburg" selected>Limburg</option>');
    expect(page.body).toContain("Noor Regio");

    const moved = await post(admin, `/admin/regional-contacts/${row.id}`, { province: "all" });
    expect(moved.headers.location).toBe("/admin/regional-contacts?done=changed");
    expect(await scopeOf(person)).toEqual({ all: true, provinces: [] });
    const same = await post(admin, `/admin/regional-contacts/${row.id}`, { province: "all" });
    expect(same.headers.location).toBe("/admin/regional-contacts?done=unchanged");
    expect(await actionsOf(row.id)).toEqual(["intake.regional_contact.add", "intake.regional_contact.change"]);
    const covered = await get(admin, "/admin/regional-contacts");
    expect(covered.body).not.toContain("Geen aanspreekpunt voor");
    expect(covered.body).toContain("Heel Vlaanderen (alle provincies)");

    // A second designation of the same person; moving it onto "all" would duplicate the first.
    expect((await post(admin, "/admin/regional-contacts", { email: person.email, province: "Antwerpen" })).statusCode).toBe(303);
    const second = (await rowsOf(person)).find((r) => r.province === "Antwerpen")!;
    const dup = await post(admin, `/admin/regional-contacts/${second.id}`, { province: "all" });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain('<a href="#province">Deze persoon is al aanspreekpunt voor deze provincie</a>');
    expect(dup.body).toContain('<option value="all" selected>');
    const bad = await post(admin, `/admin/regional-contacts/${second.id}`, { province: "Brabant" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="province-error"');
    expect((await rowsOf(person)).map((r) => r.province).sort()).toEqual(["Antwerpen", null].sort());
    expect((await post(admin, "/admin/regional-contacts/00000000-0000-4000-8000-000000000000", { province: "all" })).statusCode).toBe(404);
    expect((await get(admin, "/admin/regional-contacts/not-a-uuid")).statusCode).toBe(404);
  });

  it("ends a contact point (audited): the person's scope shrinks; ending it again is 404", async () => {
    const second = (await rowsOf(person)).find((r) => r.province === "Antwerpen")!;
    const first = (await rowsOf(person)).find((r) => r.province === null)!;
    const ended = await post(admin, `/admin/regional-contacts/${first.id}/end`, {});
    expect(ended.headers.location).toBe("/admin/regional-contacts?done=ended");
    expect(await scopeOf(person)).toEqual({ all: false, provinces: ["Antwerpen"] });
    expect(await actionsOf(first.id)).toEqual(["intake.regional_contact.add", "intake.regional_contact.change", "intake.regional_contact.end"]);
    expect((await post(admin, `/admin/regional-contacts/${first.id}/end`, {})).statusCode).toBe(404);
    expect((await post(admin, `/admin/regional-contacts/${second.id}/end`, {})).statusCode).toBe(303);
    expect(await scopeOf(person)).toBeNull();
    expect((await get(admin, "/admin/regional-contacts?done=ended")).body).toContain("Het regionale aanspreekpunt is beëindigd.");
  });

  it("a non-admin gets 403 on every page and change; a form without or with a wrong CSRF token is refused", async () => {
    expect((await post(admin, "/admin/regional-contacts", { email: other.email, province: "Limburg" })).statusCode).toBe(303);
    const [row] = await rowsOf(other);
    expect((await get(chair, "/admin/regional-contacts")).statusCode).toBe(403);
    expect((await get(chair, `/admin/regional-contacts/${row.id}`)).statusCode).toBe(403);
    expect((await post(chair, "/admin/regional-contacts", { email: other.email, province: "Antwerpen" })).statusCode).toBe(403);
    expect((await post(chair, `/admin/regional-contacts/${row.id}`, { province: "all" })).statusCode).toBe(403);
    expect((await post(chair, `/admin/regional-contacts/${row.id}/end`, {})).statusCode).toBe(403);
    const anonymous = await app.inject({ method: "GET", url: "/admin/regional-contacts" });
    expect([302, 303, 401, 403]).toContain(anonymous.statusCode);
    const noCsrf = await app.inject({ method: "POST", url: `/admin/regional-contacts/${row.id}/end`, headers: admin.headers({ form: true }), payload: "" });
    expect(noCsrf.statusCode).toBe(403);
    const wrong = await app.inject({ method: "POST", url: "/admin/regional-contacts", headers: admin.headers({ form: true }), payload: new URLSearchParams({ _csrf: "wrong", email: other.email, province: "Antwerpen" }).toString() });
    expect(wrong.statusCode).toBe(403);
    expect((await rowsOf(other)).map((r) => r.province)).toEqual(["Limburg"]);
  });

  it("the pages speak French and English", async () => {
    const [row] = await rowsOf(other);
    const fr = await get(admin, "/admin/regional-contacts?lang=fr");
    expect(fr.body).toContain("<h1>Points de contact régionaux</h1>");
    expect(fr.body).toContain("Toute la Flandre (toutes les provinces)");
    const en = await get(admin, `/admin/regional-contacts/${row.id}?lang=en`);
    expect(en.body).toContain("<h1>Change a regional contact point</h1>");
    expect(en.body).toContain("End the contact point");
  });

  // The CLI goes through the same functions: same refusals, same audit entry (actor: the system).
  const cli = async (...args: string[]) => {
    const program = new Command().exitOverride();
    intakeModule.cli!(program, async () => Object.assign(Object.create(ctx()), { close: async () => {} }));
    await program.parseAsync(["node", "schakel", "intake", "regional-contact", ...args]);
  };
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("CLI: an unknown province or account is refused (exit code 1), a valid one is audited, a repeat says 'already set'", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    await cli("--email", other.email, "--province", "Limbrug");
    expect(process.exitCode).toBe(1);
    expect(error.mock.calls.flat().join("\n")).toContain('Unknown province "Limbrug" (--province). Known: Antwerpen, Limburg');
    process.exitCode = undefined;
    await cli("--email", "niemand@test.schakel.invalid");
    expect(process.exitCode).toBe(1);
    expect(error.mock.calls.flat().join("\n")).toContain("No account with e-mail niemand@test.schakel.invalid (--email).");
    expect((await rowsOf(other)).map((r) => r.province)).toEqual(["Limburg"]);
    process.exitCode = undefined;
    await cli("--email", other.email, "--province", "West-Vlaanderen");
    await cli("--email", other.email, "--province", "West-Vlaanderen");
    expect(process.exitCode).toBeUndefined();
    expect(log.mock.calls.flat()).toEqual(["Regional contact point set (West-Vlaanderen).", "Regional contact point already set (West-Vlaanderen)."]);
    const made = (await rowsOf(other)).find((r) => r.province === "West-Vlaanderen")!;
    const entry = await db().selectFrom("audit_entry").select(["action", "actor_id"]).where("resource_id", "=", made.id).execute();
    expect(entry).toEqual([{ action: "intake.regional_contact.add", actor_id: null }]);
  });

  const auditOf = async (id: string) => db().selectFrom("audit_entry").select(["action", "actor_id"]).where("resource_id", "=", id).orderBy("seq").execute();
  const cliOutput = () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    return {
      out: () => log.mock.calls.flat().join("\n"),
      err: () => error.mock.calls.flat().join("\n"),
      clear: () => {
        log.mockClear();
        error.mockClear();
      },
    };
  };

  it("CLI change: moves a designation (audited, actor the system), a repeat changes nothing; an unknown account, province or designation and a taken province are refused naming the argument (exit code 1)", async () => {
    const user = await createUser(ctx(), { displayName: "Cli Wijziging" });
    const io = cliOutput();
    await cli("add", "--email", user.email, "--province", "Antwerpen");
    await cli("--email", user.email, "--province", "all");
    expect(process.exitCode).toBeUndefined();
    const antwerpen = (await rowsOf(user)).find((r) => r.province === "Antwerpen")!;

    await cli("change", "--email", user.email, "--province", "Antwerpen", "--to", "Limburg");
    expect(process.exitCode).toBeUndefined();
    expect(io.out()).toContain("Regional contact point changed (Antwerpen -> Limburg).");
    expect((await rowsOf(user)).map((r) => r.province).sort()).toEqual(["Limburg", null].sort());
    expect(await auditOf(antwerpen.id)).toEqual([
      { action: "intake.regional_contact.add", actor_id: null },
      { action: "intake.regional_contact.change", actor_id: null },
    ]);
    await cli("change", "--email", user.email, "--province", "Limburg", "--to", "Limburg");
    expect(process.exitCode).toBeUndefined();
    expect(io.out()).toContain("Regional contact point unchanged (Limburg).");
    expect(await auditOf(antwerpen.id)).toHaveLength(2);

    const refused = async (args: string[], message: string) => {
      io.clear();
      process.exitCode = undefined;
      await cli("change", ...args);
      expect(process.exitCode, args.join(" ")).toBe(1);
      expect(io.err()).toContain(message);
    };
    await refused(["--email", "niemand@test.schakel.invalid", "--province", "Limburg", "--to", "Antwerpen"], "No account with e-mail niemand@test.schakel.invalid (--email).");
    await refused(["--email", user.email, "--province", "Limbrug", "--to", "Antwerpen"], 'Unknown province "Limbrug" (--province). Known: Antwerpen, Limburg');
    await refused(["--email", user.email, "--province", "Limburg", "--to", "Brabant"], 'Unknown province "Brabant" (--to). Known: Antwerpen, Limburg');
    await refused(["--email", user.email, "--province", "Antwerpen", "--to", "Limburg"], `${user.email} is no regional contact point for Antwerpen (--email, --province).`);
    await refused(["--email", user.email, "--province", "Limburg", "--to", "all"], `${user.email} is already a regional contact point for all provinces (--to); nothing changed.`);
    expect((await rowsOf(user)).map((r) => r.province).sort()).toEqual(["Limburg", null].sort());
    expect(await auditOf(antwerpen.id)).toHaveLength(2);
    await expect(cli("change", "--email", user.email, "--province", "Limburg")).rejects.toMatchObject({ code: "commander.missingMandatoryOptionValue" });
  });

  it("CLI end: ends a designation (audited, actor the system) and the person's scope follows; ending it again is refused (exit code 1)", async () => {
    const user = await createUser(ctx(), { displayName: "Cli Einde" });
    const io = cliOutput();
    await cli("add", "--email", user.email, "--province", "Oost-Vlaanderen");
    await cli("add", "--email", user.email);
    const all = (await rowsOf(user)).find((r) => r.province === null)!;
    expect(await scopeOf(user)).toEqual({ all: true, provinces: ["Oost-Vlaanderen"] });

    await cli("end", "--email", user.email);
    expect(process.exitCode).toBeUndefined();
    expect(io.out()).toContain("Regional contact point ended (all provinces).");
    expect(await scopeOf(user)).toEqual({ all: false, provinces: ["Oost-Vlaanderen"] });
    expect(await auditOf(all.id)).toEqual([
      { action: "intake.regional_contact.add", actor_id: null },
      { action: "intake.regional_contact.end", actor_id: null },
    ]);

    await cli("end", "--email", user.email, "--province", "all");
    expect(process.exitCode).toBe(1);
    expect(io.err()).toContain(`${user.email} is no regional contact point for all provinces (--email, --province).`);
    process.exitCode = undefined;
    await cli("end", "--email", user.email, "--province", "Atlantis");
    expect(process.exitCode).toBe(1);
    expect(io.err()).toContain('Unknown province "Atlantis" (--province).');
    process.exitCode = undefined;
    await cli("end", "--email", user.email, "--province", "Oost-Vlaanderen");
    expect(process.exitCode).toBeUndefined();
    expect(await scopeOf(user)).toBeNull();
  });
});
