import type { FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../audit";
import { sendSessionEnded } from "../auth/stash-routes";
import { sendError, wantsJson } from "../web/app";
import { holdsPermission, isPermission } from "./permissions";

export { definePolicy, inLivcs, livcIdsWhere, type Policy } from "./grants";

/** Only a local path ("/x", not "//host" or "/\\host") may be a return-to target after login. */
export function safeLocalPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length > 500) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch === "\\")) return fallback;
  return value;
}

/**
 * Route-level authorization: deny by default. A route without a known permission is refused.
 * Not logged in: HTML pages redirect to /login?next=..., JSON gets 401. Logged in without the
 * permission: 403. Every denial (also of anonymous visitors) is written to the audit log.
 * Resource-level rules (can(actor, action, record)) live in each module's policy.ts (see grants.ts).
 */
export async function authorizeRoute(request: FastifyRequest, reply: FastifyReply) {
  // The not-found handler shows only the 404 page; it must answer 404, not 403.
  if (request.is404) return;
  const permission = request.routeOptions.config?.permission;
  if (isPermission(permission) && holdsPermission(request.actor, permission)) return;
  await audit.record(request, {
    action: "route.access",
    resourceType: "route",
    resourceId: `${request.method} ${request.routeOptions.url ?? "?"}`,
    outcome: "denied",
  });
  if (!request.actor && isPermission(permission)) {
    if (wantsJson(request)) {
      return reply.code(401).send({ error: "unauthenticated", message: "Log in first.", correlation_id: request.id });
    }
    if (request.method === "GET" || request.method === "HEAD") return reply.redirect(`/login?next=${encodeURIComponent(safeLocalPath(request.url))}`, 303);
    // A form sent after its session ended (decision 0057): say so (401), never a bare redirect that drops it.
    if (request.endedSession) return sendSessionEnded(request, reply, false);
    return reply.redirect("/login", 303);
  }
  return sendError(request, reply, 403);
}
