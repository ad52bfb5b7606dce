import type { FastifyReply, FastifyRequest } from "fastify";
import * as oidc from "openid-client";
import { h } from "preact";
import { endSessionUrl, flowCookieOptions, oidcSettings } from "../../platform/auth/oidc";
import type { AppContext } from "../../platform/context";
import { sendPage, viewContext } from "../../platform/web/view";
import { SsoLeavePage } from "./sso-views";

/**
 * The state of an RP-initiated logout round trip, in a short-lived cookie; the provider hands
 * it back to /logged-out. SameSite=Lax: it must come along on the provider's cross-site redirect.
 */
export const LOGOUT_STATE_COOKIE = "__Host-schakel_logout";

/**
 * After an SSO session has ended (and its audit entry is committed): the provider's
 * end-session URL to send the browser to, with client_id, post_logout_redirect_uri and a state
 * (no id_token_hint, decision 0036). Null, so the logout stays local, when the session did not
 * come in through SSO, SSO is not configured, the provider has no end_session_endpoint, or its
 * discovery fails.
 */
export async function providerLogout(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, authMethod: string | undefined): Promise<string | null> {
  if (authMethod !== "oidc" || !oidcSettings(ctx.config)) return null;
  const state = oidc.randomState();
  let url: URL | null;
  try {
    url = await endSessionUrl(ctx, state);
  } catch {
    request.log.warn("single sign-on: provider discovery failed at logout; logged out of Schakel only");
    return null;
  }
  if (!url) return null;
  reply.setCookie(LOGOUT_STATE_COOKIE, state, flowCookieOptions);
  return url.href;
}

/**
 * Sends the browser on to the provider (authorization or end-session URL) with a page and a
 * Refresh header instead of a 303: the CSP's form-action 'self' also applies to the redirects
 * after a form POST, so Chromium blocks a 303 from our form to the provider's origin.
 */
export function leaveForProvider(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, url: string, purpose: "login" | "logout") {
  const vc = viewContext(request);
  const name = oidcSettings(ctx.config)?.providerName ?? vc.t("sso.provider.default");
  reply.header("refresh", `0;url=${url}`);
  return sendPage(reply, h(SsoLeavePage, { ctx: vc, name, url, purpose }));
}
