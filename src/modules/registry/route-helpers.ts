import type { FastifyReply, FastifyRequest } from "fastify";
import { type ComponentChildren, h } from "preact";
import type { z } from "zod";
import type { AuditWho } from "../../platform/audit";
import { sendPage, type ViewContext } from "../../platform/web/view";
import { RoleRuleError } from "../identity/service";
import { FIELD_ERRORS } from "./schema";
import * as registry from "./service";
import { type FieldSpec, type FormError, FormPage } from "./views/form";

// Helpers shared by the register's route files.

export const who = (request: FastifyRequest): AuditWho => ({ actor: request.actor, clientAddress: request.ip, correlationId: String(request.id) });
export const bodyOf = (request: FastifyRequest) => Object.fromEntries(Object.entries((request.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v ?? "")]));

export function validate<S extends z.ZodType>(schema: S, values: Record<string, string>, ctx: ViewContext): { data: z.infer<S> } | { errors: FormError[] } {
  const parsed = schema.safeParse(values);
  if (parsed.success) return { data: parsed.data };
  const seen = new Set<string>();
  const errors: FormError[] = [];
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "");
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, message: ctx.t(FIELD_ERRORS[field] ?? "reg.error.choice") });
  }
  return { errors };
}

export function ruleError(e: unknown, ctx: ViewContext, fallbackField: string): FormError[] {
  // A role refused while saving (the account changed since the check): shown on the form, nothing saved.
  if (e instanceof RoleRuleError) return [{ field: fallbackField, message: ctx.t(`id.roles.error.${e.code}`) }];
  if (!(e instanceof registry.RegistryRuleError)) throw e;
  return [{ field: e.field ?? fallbackField, message: ctx.t(`reg.error.${e.code}`, e.params) }];
}

export const dateFields = (ctx: ViewContext, ...names: [string, Parameters<ViewContext["t"]>[0]][]): FieldSpec[] =>
  names.map(([name, label]) => ({ name, label: ctx.t(label), hint: ctx.t("reg.form.date.hint"), type: "date" as const, maxLength: 10 }));


/** A whole form page; 400 when it carries errors. */
export const sendForm = (
  reply: FastifyReply,
  ctx: ViewContext,
  p: { title: string; action: string; cancel: string; fields: FieldSpec[]; values: Record<string, string>; errors?: FormError[]; intro?: ComponentChildren },
) => sendPage(reply, h(FormPage, { ctx, ...p, errors: p.errors ?? [] }), p.errors?.length ? 400 : 200);
