import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { generate } from "otplib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { finishEnrolment, startEnrolment } from "../../src/modules/identity/login";
import { createAccount } from "../../src/modules/identity/service";
import { findUser, updateUser } from "../../src/modules/identity/store";
import { issueToken } from "../../src/modules/identity/tokens";
import { createSession, SESSION_COOKIE, sessionIdOf } from "../../src/platform/auth/session";
import { toCount } from "../../src/platform/db/values";
import { buildApp } from "../../src/platform/web/app";
import { CookieJar, createUser, csrfFromHtml, freshTotp, type LoginSession, login, type TestUser } from "../support/auth";
import { describeEachDialect, type TestContext } from "../support/db";

/**
 * Every change commits its audit entry in the same transaction. Proof with the REAL database
 * refusing the audit insert: a trigger on audit_entry raises, the change is driven through the app
 * (or the service), and the change must not be there afterwards and the answer must be an error.
 * Without one transaction the change would commit first and stay without its audit entry.
 */

const STRONG = "Atomair-Wachtwoord-2026!x";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

async function refuseAudit(ctx: TestContext, dialect: string) {
  const db = ctx.database.db;
  if (dialect === "sqlite") {
    await sql.raw("create trigger refuse_audit before insert on audit_entry begin select raise(abort, 'audit refused'); end").execute(db);
  } else {
    await sql.raw("create or replace function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db);
    await sql.raw("create trigger refuse_audit before insert on audit_entry for each row execute function refuse_audit()").execute(db);
  }
}

async function allowAudit(ctx: TestContext, dialect: string) {
  await sql.raw(dialect === "sqlite" ? "drop trigger refuse_audit" : "drop trigger refuse_audit on audit_entry").execute(ctx.database.db);
}

/** One path: set up (audit still works), then the change while the audit is refused, then "nothing changed". */
export interface AtomicCase<S> {
  name: string;
  setup: () => Promise<S>;
  /** The change: a route answer (must be 5xx) or a service call (must reject). */
  change: (s: S) => Promise<LightMyRequestResponse | unknown>;
  unchanged: (s: S) => Promise<void>;
}

export const atomicCase = <S>(c: AtomicCase<S>) => c as AtomicCase<unknown>;

const isInject = (r: unknown): r is LightMyRequestResponse => typeof r === "object" && r !== null && "statusCode" in r && "payload" in r;

/** An anonymous visitor's cookie jar and CSRF token from a public form. */
async function anonymousForm(app: FastifyInstance, url: string) {
  const jar = new CookieJar();
  const page = await app.inject({ method: "GET", url });
  jar.take(page);
  return { jar, csrf: csrfFromHtml(page.body) };
}

describeEachDialect("every change commits with its audit entry", (ctx, dialect) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  const db = () => ctx().database.db;
  const sessionsOf = async (userId: string) => toCount((await db().selectFrom("session").select((eb) => eb.fn.countAll().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow()).n);
  const tokensOf = async (userId: string) =>
    (await db().selectFrom("account_token").select(["id", "used_at"]).where("user_id", "=", userId).orderBy("id").execute()).map((t) => `${t.id}:${t.used_at ?? ""}`).join(",");
  const post = (s: LoginSession, url: string, fields: Record<string, string> = {}) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
  });
  afterAll(async () => {
    await app?.close();
  });

  const cases: AtomicCase<unknown>[] = [
    // Accounts (administrator) ------------------------------------------------------------
    ...(["disable", "enable", "end-sessions", "invite-link", "reset-link"] as const).map((path) =>
      atomicCase({
        name: `POST /admin/accounts/:id/${path}`,
        setup: async () => {
          const user = await createUser(ctx());
          await login(app, user);
          if (path === "enable") await updateUser(db(), user.id, { status: "disabled" });
          const row = await findUser(db(), user.id);
          return { user, status: row!.status, sessions: await sessionsOf(user.id), tokens: await tokensOf(user.id) };
        },
        change: (s) => post(admin, `/admin/accounts/${s.user.id}/${path}`),
        unchanged: async (s) => {
          expect((await findUser(db(), s.user.id))!.status).toBe(s.status);
          expect(await sessionsOf(s.user.id)).toBe(s.sessions);
          expect(await tokensOf(s.user.id)).toBe(s.tokens);
        },
      }),
    ),
    // Own account ---------------------------------------------------------------------------
    atomicCase({
      name: "POST /logout",
      setup: async () => {
        const user = await createUser(ctx());
        return { user, s: await login(app, user) };
      },
      change: (s) => post(s.s, "/logout"),
      unchanged: async (s) => expect(await sessionsOf(s.user.id)).toBe(1),
    }),
    atomicCase({
      name: "POST /account/sessions/end-all",
      setup: async () => {
        const user = await createUser(ctx());
        await login(app, user);
        return { user, s: await login(app, user) };
      },
      change: (s) => post(s.s, "/account/sessions/end-all"),
      unchanged: async (s) => expect(await sessionsOf(s.user.id)).toBe(2),
    }),
    atomicCase({
      name: "POST /account/password",
      setup: async () => {
        const user = await createUser(ctx());
        await login(app, user);
        const s = await login(app, user);
        return { user, s, hash: (await findUser(db(), user.id))!.password_hash };
      },
      change: (s) => post(s.s, "/account/password", { password: STRONG, confirm: STRONG }),
      unchanged: async (s) => {
        expect((await findUser(db(), s.user.id))!.password_hash).toBe(s.hash);
        expect(await sessionsOf(s.user.id)).toBe(2);
        expect(await db().selectFrom("session").select("id").where("user_id", "=", s.user.id).where("id", "=", sessionIdOfJar(s.s)).executeTakeFirst()).toBeDefined();
      },
    }),
    atomicCase({
      name: "POST /account/reauth",
      setup: async () => {
        const user = await createUser(ctx());
        const s = await login(app, user);
        return { user, s, row: await findUser(db(), user.id) };
      },
      change: async (s) => post(s.s, "/account/reauth", { password: s.user.password, code: await freshTotp(s.user), next: "/account" }),
      unchanged: async (s) => {
        expect((await findUser(db(), s.user.id))!.totp_last_step).toBe(s.row!.totp_last_step);
        expect(await db().selectFrom("session").select("id").where("id", "=", sessionIdOfJar(s.s)).executeTakeFirst()).toBeDefined();
      },
    }),
    atomicCase({
      name: "POST /account/reset (reset link requested)",
      setup: async () => {
        const user = await createUser(ctx());
        return { user, form: await anonymousForm(app, "/account/reset"), tokens: await tokensOf(user.id) };
      },
      change: (s) =>
        app.inject({ method: "POST", url: "/account/reset", headers: { ...FORM, cookie: s.form.jar.header() }, payload: new URLSearchParams({ _csrf: s.form.csrf, email: s.user.email }).toString() }),
      unchanged: async (s) => expect(await tokensOf(s.user.id)).toBe(s.tokens),
    }),
    atomicCase({
      name: "POST /account/activate (invitation redeemed)",
      setup: async () => {
        const id = await createAccount(ctx(), { email: `invited-${Date.now()}-${Math.random()}@test.schakel.invalid`, displayName: "Uitgenodigd Persoon", status: "invited" });
        const token = await issueToken(ctx(), id, "invite");
        return { id, token, form: await anonymousForm(app, `/account/activate?token=${token}`), tokens: await tokensOf(id) };
      },
      change: (s) =>
        app.inject({
          method: "POST",
          url: "/account/activate",
          headers: { ...FORM, cookie: s.form.jar.header() },
          payload: new URLSearchParams({ _csrf: s.form.csrf, token: s.token, password: STRONG, confirm: STRONG }).toString(),
        }),
      unchanged: async (s) => {
        const row = await findUser(db(), s.id);
        expect(row!.status).toBe("invited");
        expect(row!.password_hash).toBeNull();
        expect(await tokensOf(s.id)).toBe(s.tokens);
      },
    }),
    atomicCase({
      name: "finishEnrolment (TOTP enrolment, service)",
      setup: async () => {
        const id = await createAccount(ctx(), { email: `enrol-${Date.now()}-${Math.random()}@test.schakel.invalid`, displayName: "Nieuw Persoon", password: STRONG });
        const { session } = await createSession(db(), id, "enrol", "password", null);
        const { secret } = await startEnrolment(ctx(), session);
        const withPending = (await db().selectFrom("session").selectAll().where("id", "=", session.id).executeTakeFirstOrThrow())!;
        return { id, session: withPending, secret };
      },
      change: async (s) => finishEnrolment(ctx(), { userId: s.id }, s.session, await generate({ secret: s.secret })),
      unchanged: async (s) => {
        expect((await findUser(db(), s.id))!.totp_secret).toBeNull();
        const row = await db().selectFrom("session").selectAll().where("id", "=", s.session.id).executeTakeFirst();
        expect(row?.pending_totp).toBe(s.session.pending_totp);
        expect(row?.stage).toBe("enrol");
      },
    }),
    atomicCase({
      name: "POST /account/sso/unlink",
      setup: async () => {
        const user: TestUser = await createUser(ctx());
        await updateUser(db(), user.id, { oidc_issuer: "https://idp.test.schakel.invalid", oidc_subject: `sub-${user.id}` });
        return { user, s: await login(app, user) };
      },
      change: (s) => post(s.s, "/account/sso/unlink"),
      unchanged: async (s) => expect((await findUser(db(), s.user.id))!.oidc_subject).toBe(`sub-${s.user.id}`),
    }),
  ];

  for (const c of cases) {
    it(`${c.name}: refused audit entry -> error and no change`, async () => {
      const state = await c.setup();
      await refuseAudit(ctx(), dialect);
      let answer: unknown;
      try {
        answer = await c.change(state).catch((e: unknown) => e);
      } finally {
        await allowAudit(ctx(), dialect);
      }
      if (isInject(answer)) expect(answer.statusCode, answer.body.slice(0, 200)).toBeGreaterThanOrEqual(500);
      else expect(answer).toBeInstanceOf(Error);
      await c.unchanged(state);
    });
  }
});


function sessionIdOfJar(s: LoginSession): string {
  return sessionIdOf(s.jar.get(SESSION_COOKIE) ?? "");
}
