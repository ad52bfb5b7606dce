import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isLocale } from "../../platform/i18n";
import { LOCALES } from "../../platform/i18n/define";
import { LANG_COOKIE, rememberLocale } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { accountView } from "./routes";
import { findUser, updateUser } from "./store";
import { AccountPage } from "./views/account";
import { extend } from "../../platform/objects";

// The account's language (decision 0035) reaches the UI through the platform's language cookie
// (src/platform/web/app.ts: pickLocale reads ?lang=, then that cookie, then Accept-Language, before the
// session is known).
/** The browser made its own choice: a language cookie, or ?lang= on this very request (pickLocale sets the cookie then). */
const browserChose = (request: FastifyRequest) => isLocale(request.cookies?.[LANG_COOKIE]) || isLocale((request.query as { lang?: unknown } | undefined)?.lang);

/**
 * At a completed login (password + TOTP, first-login enrolment, SSO): the account's language becomes
 * the browser's UI language, unless the browser already has a language cookie (an explicit switch wins).
 */
export async function rememberAccountLanguage(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, userId: string) {
  if (browserChose(request)) return;
  const user = await findUser(ctx.database.db, userId);
  if (user && isLocale(user.language)) rememberLocale(request, reply, user.language);
}

const languageBody = z.object({ language: z.enum(LOCALES) });

/** POST /account/language: the person's own language; the change and its audit entry commit together. */
export function languageRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post("/account/language", { config: { permission: "authenticated" } }, async (request, reply) => {
    const actor = request.actor!;
    const parsed = languageBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      const t = viewContext(request).t;
      const view = await accountView(ctx, request);
      return sendPage(reply, h(AccountPage, { ctx: viewContext(request), view: extend(view, { languageError: t("lang.account.invalid") }) }), 400);
    }
    const language = parsed.data.language;
    await ctx.database.db.transaction().execute(async (trx) => {
      await updateUser(trx, actor.userId, { language });
      await audit.record(request, { action: "account.language.change", resourceType: "account", resourceId: actor.userId, outcome: "success" }, { db: trx });
    });
    // Saving it here is an explicit choice: the UI follows at once.
    rememberLocale(request, reply, language);
    return reply.redirect("/account?saved=language", 303);
  });
}
