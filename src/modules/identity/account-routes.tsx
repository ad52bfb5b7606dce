import type { FastifyInstance, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit, whoOf } from "../../platform/audit";
import { hashPassword, passwordProblem, verifyPassword } from "../../platform/auth/password";
import { endAllSessions, rotateSession } from "../../platform/auth/session";
import { accountKey, addressKey, recordFailure, waitSeconds } from "../../platform/auth/throttle";
import { checkTotp } from "../../platform/auth/totp";
import { type AppContext, bound } from "../../platform/context";
import { nowIso } from "../../platform/db/values";
import { mailFailed, mailTransport } from "../../platform/mail";
import { isLocale, type Locale, translator } from "../../platform/i18n";
import { safeLocalPath } from "../../platform/policy";
import { setSessionCookie } from "../../platform/auth/hooks";
import { sendPage, viewContext } from "../../platform/web/view";
import { totpSecretOf } from "./login";
import { recentlyAuthenticated } from "./routes";
import { findUser, findUserByEmail, updateUser } from "./store";
import { issueToken, redeemToken, type SetPasswordResult } from "./tokens";
import { PasswordPage, type PasswordErrors, ReauthPage, ResetRequestPage } from "./views/password";

const passwordBody = z.object({ password: z.string().max(1024).default(""), confirm: z.string().max(1024).default(""), token: z.string().max(200).default("") });

function errorsOf(request: FastifyRequest, r: SetPasswordResult): PasswordErrors {
  const t = viewContext(request).t;
  if (r.kind === "invalid_token") return [{ field: "token", message: t("id.password.token") }];
  if (r.kind === "mismatch") return [{ field: "confirm", message: t("id.password.mismatch") }];
  if (r.kind === "weak") return [{ field: "password", message: t(`id.password.${r.problem}`) }];
  return [];
}

/** Invitation activation, password reset, re-authentication and password change. */
export function accountRoutes(app: FastifyInstance, ctx: AppContext) {
  for (const [purpose, path, title, intro] of [
    ["invite", "/account/activate", "id.activate.title", "id.activate.intro"],
    ["reset", "/account/reset/new", "id.resetnew.title", "id.resetnew.intro"],
  ] as const) {
    app.get(path, { config: { permission: "public" } }, async (request, reply) => {
      const token = String((request.query as { token?: string }).token ?? "").slice(0, 200);
      return sendPage(reply, h(PasswordPage, { ctx: viewContext(request), title, intro, action: path, hidden: { token }, errors: [] }));
    });
    app.post(path, { config: { permission: "public" } }, async (request, reply) => {
      const body = passwordBody.safeParse(request.body ?? {});
      const input = body.success ? body.data : { password: "", confirm: "", token: "" };
      const result = await redeemToken(ctx, whoOf(request), input.token, purpose, input.password, input.confirm);
      if (result.kind === "ok") return reply.redirect("/login", 303);
      return sendPage(reply, h(PasswordPage, { ctx: viewContext(request), title, intro, action: path, hidden: { token: input.token }, errors: errorsOf(request, result) }), 400);
    });
  }

  app.get("/account/reset", { config: { permission: "public" } }, async (request, reply) => sendPage(reply, h(ResetRequestPage, { ctx: viewContext(request), sent: false })));

  // Same answer whether or not the account exists; the mail carries only a link, no personal data.
  // Only an account with a second factor gets a link (decision 0045): without one (never enrolled, or
  // reset by an administrator) a mailbox alone would lead to enrolling a new factor; an administrator
  // issues that link after checking the person's identity.
  app.post("/account/reset", { config: { permission: "public" } }, async (request, reply) => {
    const email = String((request.body as { email?: string } | undefined)?.email ?? "").slice(0, 254);
    const keys = [accountKey(email), addressKey(request.ip)];
    if ((await waitSeconds(ctx.database.db, keys)) === 0) {
      await recordFailure(ctx.database.db, [addressKey(request.ip)]);
      const user = await findUserByEmail(ctx.database.db, email);
      if (user?.status === "active" && user.totp_secret) {
        // The link and its audit entry commit together; the mail goes out only after both did.
        const token = await ctx.database.db.transaction().execute(async (trx) => {
          const issued = await issueToken(bound(ctx, trx), user.id, "reset");
          await audit.record(request, { action: "account.reset.request", resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
          return issued;
        });
        await sendResetMail(ctx, user, token);
      }
    }
    return sendPage(reply, h(ResetRequestPage, { ctx: viewContext(request), sent: true }));
  });

  app.get("/account/reauth", { config: { permission: "authenticated" } }, async (request, reply) =>
    sendPage(reply, h(ReauthPage, { ctx: viewContext(request), next: safeLocalPath((request.query as { next?: string }).next, "/account") })),
  );

  app.post("/account/reauth", { config: { permission: "authenticated" } }, async (request, reply) => {
    const body = (request.body ?? {}) as { password?: string; code?: string; next?: string };
    const next = safeLocalPath(body.next, "/account");
    const user = await findUser(ctx.database.db, request.actor!.userId);
    const keys = [accountKey(user?.email ?? ""), addressKey(request.ip)];
    const throttled = (await waitSeconds(ctx.database.db, keys)) > 0;
    let step: number | null = null;
    if (!throttled && user) {
      const passwordOk = request.actor!.authMethod === "oidc" ? true : await verifyPassword(user.password_hash, String(body.password ?? "").slice(0, 1024));
      const secret = await totpSecretOf(ctx, user);
      step = passwordOk && secret ? await checkTotp(secret, String(body.code ?? ""), user.totp_last_step) : null;
    }
    if (step === null || !user) {
      await audit.record(request, { action: "account.reauth", resourceType: "account", resourceId: request.actor!.userId, outcome: "failure" });
      if (!throttled) await recordFailure(ctx.database.db, keys);
      return sendPage(reply, h(ReauthPage, { ctx: viewContext(request), next, error: viewContext(request).t("id.reauth.invalid") }), 401);
    }
    // The used time step, the stepped-up session (a privilege change: new session id) and the audit
    // entry commit together or not at all.
    const usedStep = step;
    const rotated = await ctx.database.db.transaction().execute(async (trx) => {
      await updateUser(trx, user.id, { totp_last_step: usedStep });
      const r = await rotateSession(trx, request.session!, { reauth_at: nowIso() });
      await audit.record(request, { action: "account.reauth", resourceType: "account", resourceId: request.actor!.userId, outcome: "success" }, { db: trx });
      return r;
    });
    setSessionCookie(reply, rotated.token);
    return reply.redirect(next, 303);
  });

  const changeAllowed = (request: FastifyRequest) => recentlyAuthenticated(request.session?.reauth_at ?? null);

  app.get("/account/password", { config: { permission: "authenticated" } }, async (request, reply) => {
    if (!changeAllowed(request)) return reply.redirect("/account/reauth?next=/account/password", 303);
    return sendPage(reply, h(PasswordPage, { ctx: viewContext(request), title: "id.change.title", intro: "id.change.intro", action: "/account/password", hidden: {}, errors: [] }));
  });

  app.post("/account/password", { config: { permission: "authenticated" } }, async (request, reply) => {
    if (!changeAllowed(request)) return reply.redirect("/account/reauth?next=/account/password", 303);
    const body = passwordBody.safeParse(request.body ?? {});
    const input = body.success ? body.data : { password: "", confirm: "", token: "" };
    const user = (await findUser(ctx.database.db, request.actor!.userId))!;
    const problem = await passwordProblem(input.password, [user.email, user.display_name]);
    const result: SetPasswordResult = input.password !== input.confirm ? { kind: "mismatch" } : problem ? { kind: "weak", problem } : { kind: "ok", userId: user.id };
    if (result.kind !== "ok") {
      return sendPage(reply, h(PasswordPage, { ctx: viewContext(request), title: "id.change.title", intro: "id.change.intro", action: "/account/password", hidden: {}, errors: errorsOf(request, result) }), 400);
    }
    const hash = await hashPassword(input.password);
    // New password, ended sessions, this session's new id and the audit entry: one transaction.
    const rotated = await ctx.database.db.transaction().execute(async (trx) => {
      await updateUser(trx, user.id, { password_hash: hash });
      await endAllSessions(trx, user.id, request.session!.id);
      const r = await rotateSession(trx, request.session!);
      await audit.record(request, { action: "account.password.change", resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
      return r;
    });
    setSessionCookie(reply, rotated.token);
    return reply.redirect("/account", 303);
  });
}

/** The reset link, in the account's own language only (decision 0035). */
async function sendResetMail(ctx: AppContext, to: { email: string; language: Locale }, token: string) {
  if (!ctx.config.SMTP_URL) return;
  const link = `${ctx.config.SCHAKEL_PUBLIC_URL ?? ""}/account/reset/new?token=${token}`;
  const t = translator(isLocale(to.language) ? to.language : "nl");
  try {
    await (await mailTransport(ctx.config.SMTP_URL)).sendMail({ from: ctx.config.MAIL_FROM, to: to.email, subject: t("id.mail.reset.subject"), text: t("id.mail.reset.body", { link }) });
  } catch (e) {
    // The page answers the same either way; the audit entry shows the request was made.
    mailFailed("identity.reset", e);
  }
}

export { issueToken };
