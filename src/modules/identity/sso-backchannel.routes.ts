import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { oidcSettings } from "../../platform/auth/oidc";
import type { AppContext } from "../../platform/context";
import { sendError } from "../../platform/web/app";
import { backchannelLogout, type LogoutTokenFailure } from "./sso-backchannel";

/** The path to register at the provider as backchannel_logout_uri (SCHAKEL_PUBLIC_URL + this). */
export const BACKCHANNEL_LOGOUT_PATH = "/login/oidc/backchannel-logout";

const DESCRIPTIONS: Record<LogoutTokenFailure, string> = {
  malformed: "logout_token missing or not a signed JWT",
  unavailable: "the provider's keys could not be obtained",
  invalid: "logout_token signature, issuer, audience, type or time claims not valid",
  events: "logout_token has no back-channel logout event",
  nonce: "logout_token must not contain a nonce",
  subject: "logout_token needs a sub or a sid",
  mismatch: "logout_token's sub and sid do not belong together",
  replayed: "logout_token was already used",
};

/**
 * POST /login/oidc/backchannel-logout (OpenID Connect Back-Channel Logout 1.0, decision 0038).
 *
 * CSRF: this is the ONE route without Schakel's CSRF token. The provider calls it server to
 * server, with no cookie and no token of ours; its authority is the Logout Token's signature.
 * It says so in its route config (`csrf: "signed-request"`), which the platform's CSRF check
 * honours only for the routes in CSRF_EXEMPT_ROUTES (src/platform/auth/hooks.ts; a test walks the
 * route table). Authorisation (permission "public") runs as for every route.
 * No cookie is read or set: request.session is never used, so a browser's cookies give this
 * route nothing (a cross-site form POST can do no more than the provider's signed token allows).
 */
export function backchannelRoutes(app: FastifyInstance, ctx: AppContext) {
  async function handle(request: FastifyRequest, reply: FastifyReply) {
    reply.header("cache-control", "no-store");
    if (!oidcSettings(ctx.config)) return sendError(request, reply, 404);
    const form = String(request.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
    const token = form ? (request.body as Record<string, unknown> | undefined)?.logout_token : undefined;
    const who = { actor: null, clientAddress: request.ip, correlationId: String(request.id) };
    const result = await backchannelLogout(ctx, who, token);
    if (!result.ok) {
      // The reason only: never the token or its claims.
      request.log.warn({ reason: result.reason }, "back-channel logout refused");
      return reply.code(400).type("application/json").send({ error: "invalid_request", error_description: DESCRIPTIONS[result.reason] });
    }
    return reply.code(200).send();
  }

  app.post(BACKCHANNEL_LOGOUT_PATH, { config: { permission: "public", csrf: "signed-request" } }, handle);
}
