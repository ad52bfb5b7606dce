import fs from "node:fs";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, freshTotp, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect, queriesOf } from "../../../test/support/db";
import { endAllSessions, markSessionsForRotation, SESSION_COOKIE, SESSION_WITH_ACCOUNT, SESSION_WITH_ACCOUNT_API, sessionIdOf, sweepExpiredSessions } from "./session";
import { sqlitePath } from "../db";
import { buildApp } from "../web/app";
import { findStash, STASH_MINUTES } from "./stash";

const FORM = "application/x-www-form-urlencoded";
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Decision 0057: an ended session answers 401 (not 403), keeps the typed form for its person, encrypted, and gives it back after login. */
describeEachDialect("an ended session keeps what was typed", (ctx, dialect) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
  });
  afterAll(async () => app?.close());
  const db = () => ctx().database.db;
  const findStashRow = (_db: unknown, userId: string) => db().selectFrom("form_stash").selectAll().where("user_id", "=", userId).executeTakeFirst();

  /** The real login forms on an existing browser (jar): an expired cookie may still be in it. */
  async function loginIn(jar: CookieJar, user: TestUser, next = "/") {
    const step = async (method: "GET" | "POST", url: string, payload?: Record<string, string>) => {
      const res = await app.inject({ method, url, headers: { cookie: jar.header(), ...(payload ? { "content-type": FORM } : {}) }, ...(payload ? { payload: form(payload) } : {}) });
      jar.take(res);
      return res;
    };
    const page = await step("GET", `/login?next=${encodeURIComponent(next)}`);
    const pw = await step("POST", "/login", { _csrf: csrfFromHtml(page.body), email: user.email, password: user.password, next });
    expect(pw.headers.location).toBe("/login/mfa");
    const mfa = await step("GET", "/login/mfa");
    const done = await step("POST", "/login/mfa", { _csrf: csrfFromHtml(mfa.body), code: await freshTotp(user) });
    expect(done.statusCode).toBe(303);
    return done.headers.location;
  }
  const expire = async (jar: CookieJar, minutesIdle = ctx().config.SCHAKEL_SESSION_IDLE_MINUTES + 1) => {
    const at = new Date(Date.now() - minutesIdle * 60_000).toISOString();
    await db().updateTable("session").set({ last_seen_at: at }).where("id", "=", sessionIdOf(jar.get(SESSION_COOKIE)!)).execute();
  };
  const postName = (jar: CookieJar, csrf: string, name: string, headers: Record<string, string> = {}) =>
    app.inject({ method: "POST", url: "/account/name", headers: { cookie: jar.header(), "content-type": FORM, ...headers }, payload: form({ _csrf: csrf, display_name: name }) });
  const nameOf = async (user: TestUser) => (await db().selectFrom("app_user").select("display_name").where("id", "=", user.id).executeTakeFirstOrThrow()).display_name;

  it("an expired session: 401 in the reader's language, the fields kept encrypted; after logging in again the person sends them from the resume page", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    await expire(s.jar);
    const typed = "Marieke Vandenbroucke-Stashtest";
    const res = await postName(s.jar, s.csrfToken, typed);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain("Uw sessie is afgelopen");
    expect(res.body).toContain("Er is nog niets bewaard of verstuurd.");
    expect(res.body).toContain(`href="/login?next=%2Fsession%2Fresume"`);
    expect(res.body).not.toContain("Geen toegang");
    expect(res.body).not.toContain(typed);

    // Encrypted at rest: neither the row nor (SQLite) the database file holds the text.
    const row = await findStashRow(db(), user.id);
    expect(row?.payload_enc).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain("Vandenbroucke");
    if (dialect === "sqlite") {
      await (await import("kysely")).sql`pragma wal_checkpoint(truncate)`.execute(db());
      expect(fs.readFileSync(sqlitePath(ctx().config.DATABASE_URL!)).includes(Buffer.from("Vandenbroucke"))).toBe(false);
    }
    // The ended row did its work (it identified the person) and is gone; the old cookie is cleared.
    expect(await db().selectFrom("session").select("id").where("id", "=", sessionIdOf(s.jar.get(SESSION_COOKIE)!)).executeTakeFirst()).toBeUndefined();
    // Stashing is the person's own audited action, without the content.
    const stashed = await db().selectFrom("audit_entry").selectAll().where("action", "=", "form.stash").where("actor_id", "=", user.id).execute();
    expect(stashed).toHaveLength(1);
    expect(stashed[0].resource_id).toBe("POST /account/name");

    const jar = new CookieJar();
    expect(await loginIn(jar, user, "/session/resume")).toBe("/session/resume");
    const page = await app.inject({ method: "GET", url: "/session/resume", headers: { cookie: jar.header() } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Verder waar u was");
    expect(page.body).toContain(`<form method="post" action="/account/name">`);
    expect(page.body).toContain(`name="display_name" value="${typed}"`);
    const [fresh] = [...page.body.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
    expect(fresh).not.toBe(s.csrfToken);
    const resumeId = /name="_resume" value="([^"]+)"/.exec(page.body)![1];

    const sent = await app.inject({ method: "POST", url: "/account/name", headers: { cookie: jar.header(), "content-type": FORM }, payload: form({ display_name: typed, _csrf: fresh, _resume: resumeId }) });
    expect(sent.statusCode).toBe(303);
    expect(await nameOf(user)).toBe(typed);
    expect(await findStashRow(db(), user.id)).toBeUndefined();
    const resumed = await db().selectFrom("audit_entry").select(["actor_id", "resource_id"]).where("action", "=", "form.resume").where("actor_id", "=", user.id).execute();
    expect(resumed).toEqual([{ actor_id: user.id, resource_id: null }]);
    // Nothing left: the resume page now sends on to the start page.
    expect((await app.inject({ method: "GET", url: "/session/resume", headers: { cookie: jar.header() } })).headers.location).toBe("/");
  });

  it("the page follows the language cookie and Accept-Language; JSON gets a 401 body and nothing is kept", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    await expire(s.jar);
    // Without the language cookie the login set: the browser's Accept-Language.
    const fr = await postName(s.jar, s.csrfToken, "Un nom", { cookie: `${SESSION_COOKIE}=${s.jar.get(SESSION_COOKIE)}`, "accept-language": "fr-BE,fr;q=0.9" });
    expect(fr.statusCode).toBe(401);
    expect(fr.body).toContain("Votre session a pris fin");
    expect(fr.body).toContain('lang="fr"');

    const second = await createUser(ctx());
    const t = await login(app, second);
    await expire(t.jar);
    const en = await app.inject({ method: "POST", url: "/account/name", headers: { cookie: `${SESSION_COOKIE}=${t.jar.get(SESSION_COOKIE)}; schakel_lang=en`, "content-type": FORM, "accept-language": "nl" }, payload: form({ _csrf: t.csrfToken, display_name: "A name" }) });
    expect(en.statusCode).toBe(401);
    expect(en.body).toContain("Your session has ended");
    expect((await findStash(ctx(), second.id))?.fields).toEqual([["display_name", "A name"]]);

    const third = await createUser(ctx());
    const u = await login(app, third);
    await expire(u.jar);
    const json = await app.inject({ method: "POST", url: "/account/name", headers: u.headers({ json: true }), payload: { display_name: "Json Name" } });
    expect(json.statusCode).toBe(401);
    expect(json.json()).toMatchObject({ error: "session_ended" });
    expect(await findStash(ctx(), third.id)).toBeNull();
  });

  it("another account logging in on the same browser gets no resume, and cannot discard the first person's", async () => {
    const owner = await createUser(ctx());
    const other = await createUser(ctx());
    const s = await login(app, owner);
    await expire(s.jar);
    expect((await postName(s.jar, s.csrfToken, "Owner Typed Name")).statusCode).toBe(401);
    const jar = new CookieJar();
    expect(await loginIn(jar, other, "/session/resume")).toBe("/session/resume");
    const page = await app.inject({ method: "GET", url: "/session/resume", headers: { cookie: jar.header() } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe("/");
    const home = await app.inject({ method: "GET", url: "/account", headers: { cookie: jar.header() } });
    const discard = await app.inject({ method: "POST", url: "/session/resume/discard", headers: { cookie: jar.header(), "content-type": FORM }, payload: form({ _csrf: csrfFromHtml(home.body) }) });
    expect(discard.statusCode).toBe(303);
    expect(await findStashRow(db(), owner.id)).toBeDefined();
    // The owner discards it: gone, audited.
    const mine = new CookieJar();
    await loginIn(mine, owner, "/session/resume");
    const resume = await app.inject({ method: "GET", url: "/session/resume", headers: { cookie: mine.header() } });
    expect(resume.body).toContain("Owner Typed Name");
    await app.inject({ method: "POST", url: "/session/resume/discard", headers: { cookie: mine.header(), "content-type": FORM }, payload: form({ _csrf: csrfFromHtml(resume.body) }) });
    expect(await findStashRow(db(), owner.id)).toBeUndefined();
    expect(await db().selectFrom("audit_entry").select("seq").where("action", "=", "form.discard").where("actor_id", "=", owner.id).execute()).toHaveLength(1);
  });

  it("a stash past its life is not offered and the sweep deletes it; disabling the account deletes it at once", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    await expire(s.jar);
    await postName(s.jar, s.csrfToken, "Soon Gone");
    expect(await findStash(ctx(), user.id, Date.now() + (STASH_MINUTES + 1) * 60_000)).toBeNull();
    expect(await findStash(ctx(), user.id)).not.toBeNull();
    await sweepExpiredSessions(db(), ctx().config, Date.now() + (STASH_MINUTES + 1) * 60_000);
    expect(await findStashRow(db(), user.id)).toBeUndefined();

    const t = await login(app, user);
    await expire(t.jar);
    await postName(t.jar, t.csrfToken, "Disabled Soon");
    expect(await findStashRow(db(), user.id)).toBeDefined();
    await endAllSessions(db(), user.id);
    expect(await findStashRow(db(), user.id)).toBeUndefined();
  });

  it("a session gone entirely gives the same 401 page, saying the text could not be kept; a forged token with an ended session keeps nothing", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    await db().deleteFrom("session").where("id", "=", sessionIdOf(s.jar.get(SESSION_COOKIE)!)).execute();
    const gone = await postName(s.jar, s.csrfToken, "Lost Name");
    expect(gone.statusCode).toBe(401);
    expect(gone.body).toContain("konden we niet voor u bijhouden");
    expect(gone.body).toContain("knop Terug");

    const other = await createUser(ctx());
    const t = await login(app, other);
    await expire(t.jar);
    const forged = await postName(t.jar, "f".repeat(43), "Forged Name");
    expect(forged.statusCode).toBe(401);
    expect(forged.body).toContain("konden we niet voor u bijhouden");
    expect(await findStashRow(db(), other.id)).toBeUndefined();
    // Logging in through the form still works with the ended cookie in the browser.
    const jar = new CookieJar();
    jar.take({ cookies: [{ name: SESSION_COOKIE, value: t.jar.get(SESSION_COOKIE)! }] } as never);
    expect(await loginIn(jar, user)).toBe("/");
  });

  it("a second tab's form still works after a re-authentication or a role change in the first; a forged token is still refused", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    const oldCookie = s.jar.get(SESSION_COOKIE);
    const reauth = await app.inject({ method: "POST", url: "/account/reauth", headers: s.headers({ form: true }), payload: s.form({ password: user.password, code: await freshTotp(user), next: "/account" }) });
    expect(reauth.statusCode).toBe(303);
    s.jar.take(reauth);
    expect(s.jar.get(SESSION_COOKIE)).not.toBe(oldCookie); // session fixation protection: a new id
    expect((await postName(s.jar, s.csrfToken, "After Reauth")).statusCode).toBe(303);
    expect(await nameOf(user)).toBe("After Reauth");

    await markSessionsForRotation(db(), user.id);
    const rotated = await app.inject({ method: "GET", url: "/account", headers: { cookie: s.jar.header() } });
    s.jar.take(rotated);
    expect((await postName(s.jar, s.csrfToken, "After Role Change")).statusCode).toBe(303);
    expect(await nameOf(user)).toBe("After Role Change");

    const forged = await postName(s.jar, "x".repeat(43), "Forged");
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain("Geen toegang");
    expect(await nameOf(user)).toBe("After Role Change");
  });

  // Issue 9: nothing of this runs on the normal path. A live session's request reads the session
  // statement once; a form with a valid token touches neither the stash nor ended sessions. Counted at
  // Kysely's query executor (every statement, also inside transactions).
  it("adds no statement to a normal request", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    const sql = async (run: () => Promise<unknown>) => (await queriesOf(db(), run)).map((q) => q.sql);
    const get = await sql(() => app.inject({ method: "GET", url: "/healthz", headers: { cookie: s.jar.header() } }));
    expect(get).toEqual([dialect === "sqlite" ? SESSION_WITH_ACCOUNT.sqlite : SESSION_WITH_ACCOUNT.postgres]);
    let status = 0;
    const seen = await sql(async () => {
      status = (await postName(s.jar, s.csrfToken, "Normal Post")).statusCode;
    });
    expect(status).toBe(303);
    // The session statement once: after the person's first page, the leaner one of those who decide no
    // role requests (decision 0079).
    const sessionStatement = dialect === "sqlite" ? SESSION_WITH_ACCOUNT_API.sqlite : SESSION_WITH_ACCOUNT_API.postgres;
    expect(seen.filter((q) => q === sessionStatement)).toHaveLength(1);
    // No look for an ended session by its CSRF token (the session statement reads the live one's column).
    expect(seen.filter((q) => q !== sessionStatement && /form_stash|csrf_token/.test(q))).toEqual([]);
  });

  it("a stash and its audit entry commit together: with the entry refused, nothing is kept", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    await expire(s.jar);
    const { sql } = await import("kysely");
    if (dialect === "sqlite") {
      await sql.raw("create trigger refuse_stash_audit before insert on audit_entry for each row when new.action = 'form.stash' begin select raise(abort, 'audit refused'); end").execute(db());
    } else {
      await sql.raw("create or replace function refuse_stash_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db());
      await sql.raw("create trigger refuse_stash_audit before insert on audit_entry for each row when (new.action = 'form.stash') execute function refuse_stash_audit()").execute(db());
    }
    try {
      const res = await postName(s.jar, s.csrfToken, "Never Kept");
      expect(res.statusCode).toBe(500);
      expect(await findStashRow(db(), user.id)).toBeUndefined();
    } finally {
      await sql.raw(dialect === "sqlite" ? "drop trigger refuse_stash_audit" : "drop trigger refuse_stash_audit on audit_entry").execute(db());
    }
  });

  it("logged in again in another tab: a form from the ended session is kept and the person goes to the resume page", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    await expire(s.jar);
    const oldToken = s.csrfToken;
    await loginIn(s.jar, user); // the other tab: the same browser, a new session
    const res = await postName(s.jar, oldToken, "From The Old Tab");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/session/resume");
    const page = await app.inject({ method: "GET", url: "/session/resume", headers: { cookie: s.jar.header() } });
    expect(page.body).toContain('value="From The Old Tab"');
  });
});
