import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { LIVC_ROLES } from "../../platform/policy/actor";
import { sendError, wantsJson } from "../../platform/web/app";
import { viewContext } from "../../platform/web/view";
import { listLivcs } from "../registry/service";
import { PLATFORM_ROLES } from "./migrations";
import { mailPendingRequests } from "./approval-notify";
import { changePlatformRoles, endRole, membershipState, pendingPlatformRolesOf, requestRole, RoleRuleError, separationConflict } from "./roles";
import * as store from "./store";
import { endFieldId, type FormError, PLATFORM_FIELD, type RolesView } from "./views/roles";
import { extend } from "../../platform/objects";

/** What a refused or saved roles form hands back to the account page. */
export interface RolesForm {
  grant?: Record<string, string>;
  endValues?: Record<string, string>;
  errors?: FormError[];
  saved?: RolesView["saved"];
  /** The organisation name search of the grant form (its search button, or GET ?org_q=). */
  orgSearch?: string;
}

/** Most organisations a name search offers in the grant form. */
export const GRANT_ORGANISATION_LIMIT = 50;

/** The roles part of the account page: memberships with LIVC and organisation names, the choices, the form state. */
export async function rolesViewOf(ctx: AppContext, userId: string, actorId: string | undefined, form: RolesForm = {}): Promise<RolesView> {
  const db = ctx.database.db;
  const today = todayInBrussels();
  const search = (form.orgSearch ?? "").trim().slice(0, 100);
  const chosen = form.grant?.organisation_id ?? "";
  const [memberships, livcs, found, platformRoles, conflict, pendingPlatform] = await Promise.all([
    store.membershipsOf(db, userId),
    listLivcs(db),
    search ? store.organisationsNamed(db, search, GRANT_ORGANISATION_LIMIT) : Promise.resolve([]),
    store.platformRolesOf(db, userId),
    separationConflict(db, userId),
    pendingPlatformRolesOf(db, userId),
  ]);
  // Offered in the grant form (issue 9: all 3,000 organisations made a 99 KB page): the ones a name search
  // found, the person's own organisations (their roles' organisations) and the one chosen in a refused form.
  const known = new Set(found.map((o) => o.id));
  const extra = await store.organisationsWithIds(db, [...new Set([...memberships.map((m) => m.organisation_id ?? ""), chosen])].filter((id) => id && !known.has(id)));
  const organisations = [...found, ...extra].sort((a, b) => a.name.localeCompare(b.name, "nl"));
  const livcName = new Map(livcs.map((l) => [l.id, `${l.name} (${l.code})`]));
  const orgName = new Map(organisations.map((o) => [o.id, o.name]));
  return {
    memberships: memberships.map((m) => ({
      id: m.id,
      livc: m.livc_id ? (livcName.get(m.livc_id) ?? m.livc_id) : "-",
      role: m.role,
      organisation: m.organisation_id ? (orgName.get(m.organisation_id) ?? null) : null,
      validFrom: m.valid_from,
      validTo: m.valid_to,
      state: membershipState(m, today),
      refusalReason: m.refusal_reason,
    })),
    livcs: livcs.map((l) => ({ value: l.id, label: `${l.name} (${l.code})` })).sort((a, b) => a.label.localeCompare(b.label)),
    organisations: organisations.map((o) => ({ value: o.id, label: o.name })),
    orgSearch: search,
    orgFound: found.length,
    platformRoles,
    pendingPlatform: pendingPlatform.map((r) => ({ id: r.id, role: r.role, requester: r.requester ?? "" })),
    grant: { livc_id: "", role: "", organisation_id: "", valid_from: today, valid_to: "", ...form.grant },
    endValues: form.endValues ?? {},
    endDefault: addDays(today, -1),
    errors: form.errors ?? [],
    saved: form.saved,
    conflict,
    self: userId === actorId,
  };
}

/** Any value as trimmed text (cut at 200 characters): whatever arrives, the rules in roles.ts answer, never a parse error. */
const text = z.preprocess((v) => (v === undefined || v === null ? "" : String(v).slice(0, 200)), z.string().trim());
const grantBody = z.object({ livc_id: text, role: text, organisation_id: text, valid_from: text, valid_to: text, org_q: text, intent: text });
const endBody = z.object({ valid_to: text });
const rolesBody = z.object({ roles: z.preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v.map(String) : [String(v)]), z.array(z.string())) });
/** The body's fields, or all empty when the body is no object (a JSON array, text): the rules then refuse it. */
const bodyOf = <S extends z.ZodType>(schema: S, request: FastifyRequest): z.infer<S> => {
  const body = request.body;
  const parsed = schema.safeParse(body && typeof body === "object" && !Array.isArray(body) ? body : {});
  return parsed.success ? parsed.data : schema.parse({});
};
const idParam = z.object({ id: z.string().uuid() });
const membershipParam = z.object({ id: z.string().uuid(), mid: z.string().uuid() });

type ShowDetail = (request: FastifyRequest, reply: FastifyReply, id: string, roles: RolesForm, status?: number) => Promise<unknown>;

/**
 * LIVC roles and platform roles on the account page (permission admin.accounts): give, end, change.
 * Every rule lives in roles.ts; here only the form and JSON plumbing. Each form posts, and on
 * success redirects back with a notice (no JavaScript needed); a refusal shows the page again
 * with the typed values and the error summary.
 */
export function roleRoutes(app: FastifyInstance, ctx: AppContext, showDetail: ShowDetail) {
  const db = ctx.database.db;
  const cfg = { config: { permission: "admin.accounts" as const } };
  const refused = (request: FastifyRequest, e: unknown, field: (f: string | undefined) => string): FormError[] => {
    if (!(e instanceof RoleRuleError)) throw e;
    return [{ field: field(e.field), message: viewContext(request).t(`id.roles.error.${e.code}`) }];
  };
  const answer = async (request: FastifyRequest, reply: FastifyReply, userId: string, form: RolesForm, json: Record<string, unknown>, code = 200) => {
    if (form.errors?.length) {
      if (wantsJson(request)) return reply.code(400).send({ error: "invalid", fields: form.errors });
      return showDetail(request, reply, userId, form, 400);
    }
    if (wantsJson(request)) return reply.code(code).send(json);
    return reply.redirect(`/admin/accounts/${userId}?saved=${form.saved}#${form.saved === "platform_roles" || form.saved === "platform_requested" ? "platform-roles" : "livc-roles"}`, 303);
  };
  const account = async (request: FastifyRequest, reply: FastifyReply) => {
    const p = idParam.safeParse(request.params);
    const user = p.success ? await store.findUser(db, p.data.id) : undefined;
    if (!user) await sendError(request, reply, 404);
    return user;
  };

  const grant = async (request: FastifyRequest, reply: FastifyReply) => {
    const user = await account(request, reply);
    if (!user) return reply;
    const t = viewContext(request).t;
    const { org_q, intent, ...raw } = bodyOf(grantBody, request);
    // The grant form's organisation search: the page again with every value kept and the organisations found; nothing given.
    if (intent === "org_search" && !wantsJson(request)) return showDetail(request, reply, user.id, { grant: raw, orgSearch: org_q });
    const errors: FormError[] = [];
    if (raw.livc_id === "") errors.push({ field: "livc_id", message: t("id.roles.error.livc_required") });
    if (!(LIVC_ROLES as readonly string[]).includes(raw.role)) errors.push({ field: "role", message: t("id.roles.error.role_required") });
    let id: string | undefined;
    if (errors.length === 0) {
      try {
        id = await requestRole(ctx, whoOf(request), {
          userId: user.id,
          livcId: raw.livc_id,
          role: raw.role as (typeof LIVC_ROLES)[number],
          organisationId: raw.organisation_id || null,
          validFrom: raw.valid_from || undefined,
          validTo: raw.valid_to || null,
        });
      } catch (e) {
        errors.push(...refused(request, e, (f) => (f === "user" || !f ? "role" : f)));
      }
      // Committed (pending, decision 0049): the people who may decide it are told by mail (decision 0056).
      if (id) await mailPendingRequests(ctx);
    }
    return answer(request, reply, user.id, { grant: raw, errors, saved: "grant", orgSearch: org_q }, { id, approval: "pending" }, 201);
  };

  const end = async (request: FastifyRequest, reply: FastifyReply) => {
    const p = membershipParam.safeParse(request.params);
    const user = p.success ? await store.findUser(db, p.data.id) : undefined;
    if (!p.success || !user) return sendError(request, reply, 404);
    const mid = p.data.mid;
    const lastDay = bodyOf(endBody, request).valid_to || addDays(todayInBrussels(), -1);
    let errors: FormError[] = [];
    try {
      await endRole(ctx, whoOf(request), user.id, mid, lastDay);
    } catch (e) {
      if (e instanceof RoleRuleError && e.code === "unknown_membership") return sendError(request, reply, 404);
      errors = refused(request, e, () => endFieldId(mid));
    }
    return answer(request, reply, user.id, { endValues: { [mid]: lastDay }, errors, saved: "end" }, { id: mid, valid_to: lastDay });
  };

  const platform = async (request: FastifyRequest, reply: FastifyReply) => {
    const user = await account(request, reply);
    if (!user) return reply;
    const roles = bodyOf(rolesBody, request).roles;
    let errors: FormError[] = [];
    let result = { held: [] as string[], requested: [] as string[] };
    if (!roles.every((r) => (PLATFORM_ROLES as readonly string[]).includes(r))) {
      errors = [{ field: PLATFORM_FIELD, message: viewContext(request).t("id.roles.error.platform_role") }];
    } else {
      try {
        result = await changePlatformRoles(ctx, whoOf(request), user.id, roles as (typeof PLATFORM_ROLES)[number][]);
      } catch (e) {
        errors = refused(request, e, () => PLATFORM_FIELD);
      }
    }
    // Committed: the other administrators are told a request waits for them (decision 0056).
    if (result.requested.length > 0) await mailPendingRequests(ctx);
    // admin and dpo become pending requests (decision 0049): the answer says which.
    const saved = result.requested.length > 0 ? "platform_requested" : "platform_roles";
    return answer(request, reply, user.id, { errors, saved }, { id: user.id, roles: result.held, requested: result.requested });
  };

  app.post("/admin/accounts/:id/memberships", cfg, grant);
  app.post("/admin/accounts/:id/memberships/:mid/end", cfg, end);
  app.post("/admin/accounts/:id/platform-roles", cfg, platform);

  const refusal = z.object({ error: z.string(), fields: z.array(z.object({ field: z.string(), message: z.string() })) });
  const params = z.toJSONSchema(idParam);
  app.get(
    "/api/v1/admin/accounts/:id/roles",
    extend(cfg, { schema: { tags: ["accounts"], summary: "An account's platform roles and LIVC roles (with their period and state)", params } }),
    async (request, reply) => {
      const user = await account(request, reply);
      if (!user) return reply;
      const view = await rolesViewOf(ctx, user.id, request.actor?.userId);
      return { platform_roles: view.platformRoles, pending_platform_roles: view.pendingPlatform.map((r) => ({ id: r.id, role: r.role })), memberships: view.memberships.map((m) => ({ id: m.id, livc: m.livc, role: m.role, organisation: m.organisation, valid_from: m.validFrom, valid_to: m.validTo, state: m.state })) };
    },
  );
  app.post(
    "/api/v1/admin/accounts/:id/memberships",
    extend(cfg, {
      schema: {
        tags: ["accounts"],
        summary:
          "Ask for an LIVC role: it is PENDING (no access) until another administrator or the LIVC's chair or coordinator approves it at /admin/approvals or /livc-roles (decision 0049). Refused: duplicate period, administrator account, own account, partner member or reporter without organisation",
        params,
        body: z.toJSONSchema(z.object({ livc_id: z.string(), role: z.enum(LIVC_ROLES), organisation_id: z.string().optional(), valid_from: z.string().optional(), valid_to: z.string().optional() })),
        response: { 201: z.toJSONSchema(z.object({ id: z.string(), approval: z.literal("pending") })), 400: z.toJSONSchema(refusal) },
      },
    }),
    grant,
  );
  app.post(
    "/api/v1/admin/accounts/:id/memberships/:mid/end",
    extend(cfg, {
      schema: {
        tags: ["accounts"],
        summary: "End an LIVC role: valid_to is its last day (default yesterday); takes effect on the person's next request",
        params: z.toJSONSchema(membershipParam),
        body: z.toJSONSchema(z.object({ valid_to: z.string().optional() })),
        response: { 200: z.toJSONSchema(z.object({ id: z.string(), valid_to: z.string() })), 400: z.toJSONSchema(refusal) },
      },
    }),
    end,
  );
  app.post(
    "/api/v1/admin/accounts/:id/platform-roles",
    extend(cfg, {
      schema: {
        tags: ["accounts"],
        summary:
          "Set an account's platform roles. Removing a role and adding regional_analyst take effect at once; adding admin or dpo creates a PENDING request (answered in `requested`) that another administrator approves at /admin/approvals (decision 0049). Refused: own account, last active administrator, admin for an account with an LIVC role",
        params,
        body: z.toJSONSchema(z.object({ roles: z.array(z.enum(PLATFORM_ROLES)) })),
        response: { 200: z.toJSONSchema(z.object({ id: z.string(), roles: z.array(z.string()), requested: z.array(z.string()) })), 400: z.toJSONSchema(refusal) },
      },
    }),
    platform,
  );
}
