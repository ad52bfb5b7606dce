import type { FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "../web/app";

/**
 * Route-level authorization: deny by default. A route without a declared permission is refused.
 * Resource-level rules (can(actor, action, record)) live in each module's policy.ts.
 */
export async function authorizeRoute(request: FastifyRequest, reply: FastifyReply) {
  if (request.is404) return; // the not-found page reveals nothing
  const permission = request.routeOptions.config?.permission;
  if (permission === "public") return;
  if (permission === "authenticated" && request.actor) return;
  return sendError(request, reply, 403);
}
