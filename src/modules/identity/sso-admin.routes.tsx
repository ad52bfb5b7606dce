import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { sendError, wantsJson } from "../../platform/web/app";
import { removeSsoLink } from "./sso-link";
import { findUser } from "./store";

const idParam = z.object({ id: z.string().uuid() });

/**
 * An administrator removes an account's single sign-on link (decision 0031): the account page
 * shows linked/not linked and the issuer (SsoLinkAdmin). Removing only takes a way in away, so
 * it needs no re-authentication; it ends the account's SSO sessions, and the change, the ended
 * sessions and the audit entry commit together. Re-linking is left to the person (decision 0014).
 */
export function ssoAdminRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  app.post("/admin/accounts/:id/remove-sso", { config: { permission: "admin.accounts" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const user = p.success ? await findUser(db, p.data.id) : undefined;
    if (!user) return sendError(request, reply, 404);
    const result = await db.transaction().execute(async (trx) => {
      const r = await removeSsoLink(trx, user.id);
      if (r.removed || r.sessionsEnded > 0) {
        await audit.record(request, { action: "account.oidc.unlink", resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
      }
      return r;
    });
    if (wantsJson(request)) return { ok: true, removed: result.removed, sessions_ended: result.sessionsEnded };
    return reply.redirect(`/admin/accounts/${user.id}`, 303);
  });
}
