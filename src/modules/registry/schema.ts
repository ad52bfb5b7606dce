import { z } from "zod";
import { isIsoDate } from "../../platform/db/values";
import type { MessageKey } from "../../platform/i18n";
import { LIFE_STATUSES, OBSTACLE_REASONS } from "./migrations";

/** One schema per form; the same rules as the CSV import. Errors map to a message per field. */
const date = z.string().trim().refine(isIsoDate);
const optionalDate = z
  .string()
  .trim()
  .refine((v) => v === "" || isIsoDate(v))
  .transform((v) => v || null);
const person = z
  .string()
  .trim()
  .max(200)
  .transform((v) => v || null);
/** An officer's account e-mail: optional; matched to an active account by the route. */
const accountEmail = z.string().trim().max(254).default("");
const longText = z.string().trim().min(1).max(2000);
const nis = z.string().trim().regex(/^\d{5}$/);

export const livcForm = z.object({
  code: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/),
  name: z.string().trim().min(1).max(200),
  founded_on: optionalDate,
  chair_name: person,
  coordinator_name: person,
  info_officer_name: person,
  chair_email: accountEmail,
  coordinator_email: accountEmail,
  info_officer_email: accountEmail,
});

export const membershipForm = z.object({ nis, joined_on: date, left_on: optionalDate });
export const membershipEndForm = z.object({ left_on: optionalDate });
export const statusForm = z.object({ status: z.enum(LIFE_STATUSES), from_on: date, note: z.string().trim().max(500) });
export const frameworkForm = z.object({ participants: longText, purpose: longText, working_arrangements: longText, adopted_on: date });
export const obstacleForm = z
  .object({ nis, recorded_on: date, reason: z.enum(OBSTACLE_REASONS), note: z.string().trim().max(500) })
  .refine((o) => o.reason !== "other" || o.note.length > 0, { path: ["note"] });
/** Correcting an obstacle: its category and note only (the municipality and date stay). */
export const obstacleCorrectForm = z
  .object({ reason: z.enum(OBSTACLE_REASONS), note: z.string().trim().max(500) })
  .refine((o) => o.reason !== "other" || o.note.length > 0, { path: ["note"] });
export const obstacleEndForm = z.object({ ended_on: optionalDate });
export const mergerForm = z
  .object({ decision: z.enum(["livc", "none"]), livc_id: z.string().trim().max(100).default(""), joined_on: date, note: z.string().trim().max(500) })
  .refine((d) => d.decision === "none" || d.livc_id !== "", { path: ["livc_id"] });

export const FIELD_ERRORS: Record<string, MessageKey> = {
  code: "reg.error.code",
  name: "reg.error.name",
  founded_on: "reg.error.date",
  joined_on: "reg.error.date",
  left_on: "reg.error.date",
  from_on: "reg.error.date",
  adopted_on: "reg.error.date",
  recorded_on: "reg.error.date",
  ended_on: "reg.error.date",
  nis: "reg.error.nis",
  participants: "reg.error.text",
  purpose: "reg.error.text",
  working_arrangements: "reg.error.text",
  status: "reg.error.choice",
  reason: "reg.error.choice",
  decision: "reg.error.choice",
  livc_id: "reg.error.unknown_livc",
  note: "reg.error.note",
  chair_name: "reg.error.person",
  coordinator_name: "reg.error.person",
  info_officer_name: "reg.error.person",
  chair_email: "reg.error.email",
  coordinator_email: "reg.error.email",
  info_officer_email: "reg.error.email",
};
