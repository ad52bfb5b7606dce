import type { FastifyInstance, FastifyRequest } from "fastify";
import { h } from "preact";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { sendError, wantsJson } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { discardDraft, draftToDiscard } from "./retention-drafts";
import { referenceParam } from "./schema";
import { DiscardDraftPage } from "./views/discard";
import { extend } from "../../platform/objects";

/**
 * The reporter discards their own draft (decision 0053): GET asks for confirmation, POST (CSRF-checked
 * like every form, with confirm=yes from that page) deletes it and returns to /reports. Permission
 * report.file; only the asker's own draft (the service decides, 404 otherwise, a denial audited).
 */
export function discardRoutes(app: FastifyInstance, ctx: AppContext) {
  const report = { config: { permission: "report.file" as const } };
  const who = (request: FastifyRequest) => extend(whoOf(request), { actor: request.actor! });
  const ref = (request: FastifyRequest) => {
    const p = referenceParam.safeParse(request.params);
    return p.success ? p.data.reference : null;
  };

  app.get("/reports/:reference/discard", report, async (request, reply) => {
    const reference = ref(request);
    const draft = reference ? await draftToDiscard(ctx, who(request), reference) : null;
    if (!draft) return sendError(request, reply, 404);
    return sendPage(reply, h(DiscardDraftPage, { ctx: viewContext(request), ...draft }));
  });

  app.post("/reports/:reference/discard", report, async (request, reply) => {
    const reference = ref(request);
    if (!reference) return sendError(request, reply, 404);
    const confirmed = ((request.body ?? {}) as Record<string, unknown>).confirm === "yes";
    // Without the confirmation page's field nothing is deleted: the page asks first. Someone else's
    // draft (or none) answers 404 either way, as the GET does, so the answer gives nothing away.
    if (!confirmed) {
      if (!(await draftToDiscard(ctx, who(request), reference))) return sendError(request, reply, 404);
      if (wantsJson(request)) return reply.code(400).send({ error: "confirm_required" });
      return reply.redirect(`/reports/${reference}/discard`, 303);
    }
    if ((await discardDraft(ctx, who(request), reference)) === "not_found") return sendError(request, reply, 404);
    if (wantsJson(request)) return reply.code(204).send();
    return reply.redirect("/reports?done=discarded", 303);
  });
}
