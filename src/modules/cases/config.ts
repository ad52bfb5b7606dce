import { z } from "zod";
import { ConfigError } from "../../platform/config";

/**
 * This module's settings (environment variables, validated once; a bad value names the variable).
 * SCHAKEL_POST_CLOSURE_REVIEW_MONTHS: months after closure when a review appears on the
 *   coordinator's list, comma-separated (default "6,12").
 * SCHAKEL_MEETING_REMINDER_DAYS: a planned consultation gets one e-mail reminder this many days
 *   ahead (default 2).
 * SCHAKEL_ACTION_REMINDER_DAYS: an open action of the follow-up plan gets one e-mail reminder to its
 *   owning organisation this many days before its due date (default 3; decision 0061).
 * The retention terms are platform settings (SCHAKEL_RETENTION_YEARS, SCHAKEL_RETENTION_MINOR_YEARS).
 */
const months = z
  .string()
  .regex(/^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$/)
  .transform((s) => [...new Set(s.split(",").map((x) => Number.parseInt(x.trim(), 10)))].filter((n) => n > 0 && n <= 120).sort((a, b) => a - b));

const schema = z.object({
  SCHAKEL_POST_CLOSURE_REVIEW_MONTHS: z.string().default("6,12").pipe(months),
  SCHAKEL_MEETING_REMINDER_DAYS: z.coerce.number().int().min(0).max(60).default(2),
  SCHAKEL_ACTION_REMINDER_DAYS: z.coerce.number().int().min(0).max(60).default(3),
});

export interface CasesConfig { reviewMonths: number[]; reminderDays: number; actionReminderDays: number }

export function loadCasesConfig(env: NodeJS.ProcessEnv = process.env): CasesConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const variable = String(parsed.error.issues[0].path[0]);
    throw new ConfigError(variable, variable === "SCHAKEL_MEETING_REMINDER_DAYS" || variable === "SCHAKEL_ACTION_REMINDER_DAYS" ? "must be a whole number of days from 0 to 60" : 'must be month numbers separated by commas, for example "6,12"');
  }
  return { reviewMonths: parsed.data.SCHAKEL_POST_CLOSURE_REVIEW_MONTHS, reminderDays: parsed.data.SCHAKEL_MEETING_REMINDER_DAYS, actionReminderDays: parsed.data.SCHAKEL_ACTION_REMINDER_DAYS };
}

let cached: CasesConfig | null = null;
export const casesConfig = (): CasesConfig => {
  cached ??= loadCasesConfig();
  return cached;
};
