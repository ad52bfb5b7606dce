import { z } from "zod";
import { isIsoDate } from "../../platform/db/values";

const isoDate = z.string().refine(isIsoDate, "must be a date written YYYY-MM-DD");

export const idParam = z.object({ id: z.string().uuid() });
export const livcParam = z.object({ livcId: z.string().min(1).max(100) });

export const participationQuery = z.object({ date: isoDate.optional() });

export const inviteForm = z.object({
  organisation_id: z.string().max(100).default(""),
  kind: z.enum(["structural", "consultation"]).default("structural"),
  case_ref: z.string().max(64).default(""),
});

export const seatForm = z.object({
  seat: z.string().max(40).default("partner"),
  seat_organisation_id: z.string().max(100).default(""),
  from_on: z.string().max(10).default(""),
  to_on: z.string().max(10).default(""),
});

export const endSeatForm = z.object({ to_on: z.string().max(10).default("") });

export const respondForm = z.object({
  answer: z.enum(["accept", "decline"]).optional(),
  reason: z.string().max(40).optional(),
  note: z.string().max(2000).default(""),
});

/** Checked boxes arrive as one string or a list. */
