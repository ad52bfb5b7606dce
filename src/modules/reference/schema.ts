import { z } from "zod";
import { isIsoDate } from "../../platform/db/values";

export const REGISTER_START = "2019-01-01";

export const isoDate = z
  .string()
  .trim()
  .refine(isIsoDate, "date must be a real date written YYYY-MM-DD");

export const registerDate = isoDate.refine((d) => d >= REGISTER_START, `date must be on or after ${REGISTER_START}`);

export const municipalityQuery = z.object({
  date: registerDate.optional(),
  q: z.string().trim().max(100).optional(),
  lang: z.string().optional(),
});

export const nisParam = z.object({ nis: z.string().regex(/^\d{5}$/) });
