import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { Actor } from "../../platform/policy/actor";
import { sendError, wantsJson } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { listLivcs } from "../registry/service";
import { ApprovalError, decideRequest, decisionRefusal, type PendingRequest, pendingRequests, withdrawRequest } from "./approvals";
import { decidePlatformRequest, pendingPlatformRequests, platformDecisionRefusal, withdrawPlatformRequest } from "./platform-approvals";
import { RoleRuleError } from "./roles";
import { ApprovalsPage, DONE, type DecisionForm, type PendingView, reasonFieldId } from "./views/approvals";
import { extend } from "../../platform/objects";

/** The list entries with the LIVC's name and, per entry, why this viewer may not decide it (null: may). */
export const pendingViews = (actor: Actor | null, rows: PendingRequest[], livcName: (id: string) => string): PendingView[] =>
  rows.map((r) => extend(r, { livc: livcName(r.livcId), blocked: decisionRefusal(actor, r) }));

export const doneOf = (request: FastifyRequest): DecisionForm["done"] => {
  const done = (request.query as { done?: string } | undefined)?.done;
  return (DONE as readonly string[]).includes(done ?? "") ? (done as DecisionForm["done"]) : undefined;
};

const params = z.object({ mid: z.string().uuid() });
const livcParams = z.object({ livcId: z.string().uuid(), mid: z.string().uuid() });
const reasonOf = (request: FastifyRequest) => {
  const body = request.body as { reason?: unknown } | undefined;
  return typeof body?.reason === "string" ? body.reason.slice(0, 2000) : "";
};

/** What a decision calls: the LIVC-role functions (approvals.ts) or the platform-role ones (platform-approvals.ts). */
export interface DecisionOps {
  decide: (ctx: AppContext, who: ReturnType<typeof whoOf>, id: string, decision: { approve: true } | { approve: false; reason: string }) => Promise<unknown>;
  withdraw: (ctx: AppContext, who: ReturnType<typeof whoOf>, id: string) => Promise<void>;
}
const LIVC_OPS: DecisionOps = { decide: decideRequest, withdraw: withdrawRequest };
const PLATFORM_OPS: DecisionOps = { decide: decidePlatformRequest, withdraw: withdrawPlatformRequest };

export type ShowDecisionPage = (request: FastifyRequest, reply: FastifyReply, form: DecisionForm, status: number) => Promise<unknown>;

/**
 * Approve, refuse or withdraw one pending request (decision 0049), then back to the list (303, a
 * notice); a refusal without a reason shows the list again with the error linked to that request's
 * reason field and the typed text kept. Who may decide is checked in approvals.ts (denials audited).
 */
export async function handleDecision(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  mid: string,
  kind: "approve" | "refuse" | "withdraw",
  back: { url: string; show: ShowDecisionPage },
  ops: DecisionOps = LIVC_OPS,
) {
  const t = viewContext(request).t;
  const reason = reasonOf(request);
  try {
    if (kind === "withdraw") await ops.withdraw(ctx, whoOf(request), mid);
    else await ops.decide(ctx, whoOf(request), mid, kind === "approve" ? { approve: true } : { approve: false, reason });
  } catch (e) {
    const field = kind === "refuse" ? reasonFieldId(mid) : `request-${mid}`;
    let message: string;
    if (e instanceof ApprovalError) {
      if (e.code === "not_pending") return sendError(request, reply, 404);
      if (e.code !== "reason_required") return sendError(request, reply, 403);
      message = t("ap.error.reason_required");
    } else if (e instanceof RoleRuleError) {
      message = t(`id.roles.error.${e.code}`);
    } else {
      throw e;
    }
    const errors = [{ field, message }];
    if (wantsJson(request)) return reply.code(400).send({ error: "invalid", fields: errors });
    return back.show(request, reply, { errors, reasons: { [mid]: reason } }, 400);
  }
  const done = kind === "approve" ? "approved" : kind === "refuse" ? "refused" : "withdrawn";
  if (wantsJson(request)) return reply.send({ id: mid, approval: done });
  return reply.redirect(`${back.url}?done=${done}`, 303);
}

/** /admin/approvals and the LIVC's own decision routes (its page is livc-roles-routes.tsx). */
export function approvalRoutes(app: FastifyInstance, ctx: AppContext, showLivcPage: (livcId: string) => ShowDecisionPage) {
  const db = ctx.database.db;
  const admin = { config: { permission: "admin.accounts" as const } };

  const showAdmin: ShowDecisionPage = async (request, reply, form, status) => {
    const livcs = new Map((await listLivcs(db)).map((l) => [l.id, `${l.name} (${l.code})`]));
    const rows = pendingViews(request.actor, await pendingRequests(db), (id) => livcs.get(id) ?? "-");
    const platformRows = (await pendingPlatformRequests(db)).map((r) => extend(r, { blocked: platformDecisionRefusal(request.actor, r) }));
    return sendPage(reply, h(ApprovalsPage, { ctx: viewContext(request), rows, platformRows, form }), status);
  };
  app.get("/admin/approvals", admin, (request, reply) => showAdmin(request, reply, { errors: [], reasons: {}, done: doneOf(request) }, 200));
  for (const kind of ["approve", "refuse", "withdraw"] as const) {
    app.post(`/admin/approvals/:mid/${kind}`, admin, async (request, reply) => {
      const p = params.safeParse(request.params);
      if (!p.success) return sendError(request, reply, 404);
      return handleDecision(ctx, request, reply, p.data.mid, kind, { url: "/admin/approvals", show: showAdmin });
    });
    // Platform-role requests (admin, dpo): administrators only, never the requester or the grantee.
    app.post(`/admin/approvals/platform/:mid/${kind}`, admin, async (request, reply) => {
      const p = params.safeParse(request.params);
      if (!p.success) return sendError(request, reply, 404);
      return handleDecision(ctx, request, reply, p.data.mid, kind, { url: "/admin/approvals", show: showAdmin }, PLATFORM_OPS);
    });
  }

  // A chair or coordinator decides on their own LIVC's page; the request must belong to that LIVC.
  for (const kind of ["approve", "refuse"] as const) {
    app.post(`/livc-roles/:livcId/requests/:mid/${kind}`, { config: { permission: "partners.manage" } }, async (request, reply) => {
      const p = livcParams.safeParse(request.params);
      if (!p.success) return sendError(request, reply, 404);
      const row = await db.selectFrom("membership").select("livc_id").where("id", "=", p.data.mid).executeTakeFirst();
      if (!row || row.livc_id !== p.data.livcId) return sendError(request, reply, 404);
      return handleDecision(ctx, request, reply, p.data.mid, kind, { url: `/livc-roles/${p.data.livcId}`, show: showLivcPage(p.data.livcId) });
    });
  }
}
