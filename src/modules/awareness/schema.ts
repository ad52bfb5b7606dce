import { z } from "zod";
import { isIsoDate } from "../../platform/db/values";
import { isSector, type Sector } from "../identity/sectors";
import { QUESTION_KINDS } from "./migrations";
import { isObjection, type Objection } from "./objections";
import { extend } from "../../platform/objects";

/** Form bodies arrive as strings, or arrays when a checkbox name repeats. */
export const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null || v === "" ? [] : [String(v)]);

const text = (max: number) => z.string().trim().max(max);
const isoDate = z.string().trim().refine(isIsoDate, { message: "date" });

export const campaignForm = z.object({
  name: text(200).min(1, "name"),
  year: z.coerce.number().int().min(2019, "year").max(2100, "year"),
  description: text(4000).default(""),
});
export type CampaignInput = z.infer<typeof campaignForm>;

export const sessionForm = z
  .object({
    held_on: isoDate,
    sectors: z.preprocess(asList, z.array(z.string()).min(1, "sectors")).refine((l) => l.every(isSector), { message: "sectors" }),
    province: text(10).default(""),
    municipalities: text(2000).default(""),
    participants: z.coerce.number({ message: "participants" }).int("participants").min(0, "participants").max(100_000, "participants"),
    materials: text(4000).default(""),
  })
  .transform((s) => extend(s, {
    sectors: s.sectors as Sector[],
    province: s.province || null,
    municipalities: [...new Set(s.municipalities.split(/[\s,;]+/).filter(Boolean))],
  }))
  .refine((s) => s.province !== null || s.municipalities.length > 0, { message: "reach", path: ["province"] });
export type SessionInput = z.infer<typeof sessionForm>;

export const OPTION_ROWS = 7;

export const questionForm = z
  .object({
    kind: z.enum(QUESTION_KINDS, { message: "kind" }),
    text_nl: text(1000).min(1, "text_nl"),
    text_fr: text(1000).min(1, "text_fr"),
    required: z.preprocess((v) => v === "1" || v === "on", z.boolean()),
    options: z.array(z.object({ text_nl: text(300), text_fr: text(300), objection: z.string().default("") })),
  })
  .transform((q) => extend(q, {
    options: q.kind === "single" || q.kind === "multiple"
      ? q.options
          .filter((o) => o.text_nl || o.text_fr)
          .map((o) => ({ text_nl: o.text_nl, text_fr: o.text_fr || o.text_nl, objection: isObjection(o.objection) ? (o.objection as Objection) : null }))
      : [],
  }))
  .refine((q) => !(q.kind === "single" || q.kind === "multiple") || q.options.length >= 2, { message: "options", path: ["options"] })
  .refine((q) => q.options.every((o) => o.text_nl.length > 0), { message: "option_nl", path: ["options"] });
export type QuestionInput = z.infer<typeof questionForm>;

/** Reads the option rows option_1_nl, option_1_fr, option_1_objection ... from a form body. */
export function optionRows(body: Record<string, unknown>) {
  return Array.from({ length: OPTION_ROWS }, (_, i) => ({
    text_nl: String(body[`option_${i + 1}_nl`] ?? ""),
    text_fr: String(body[`option_${i + 1}_fr`] ?? ""),
    objection: String(body[`option_${i + 1}_objection`] ?? ""),
  }));
}

export const linkForm = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("organisation"), organisation_id: z.string().min(1, "organisation_id"), province: z.string().min(1, "province") }),
  z.object({
    kind: z.literal("anonymous"),
    sector: z.string().refine(isSector, { message: "sector" }),
    province: z.string().min(1, "province"),
    count: z.coerce.number({ message: "count" }).int("count").min(1, "count").max(500, "count"),
  }),
]);
export type LinkInput = z.infer<typeof linkForm>;

export const sentForm = z.object({ sent_on: isoDate });

/** A survey token as it appears in the URL: 43 base64url characters (256 bits). */
export const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
export const idParam = z.object({ id: z.string().uuid() });
