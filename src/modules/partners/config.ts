import { z } from "zod";
import { ConfigError } from "../../platform/config";

/**
 * This module's settings (environment variables, validated once; a bad value names the variable).
 * SCHAKEL_INVITATION_TERM_DAYS: days an invitation stays open before it expires (default 14).
 * SCHAKEL_INVITATION_REMINDER_DAYS: a pending invitation gets one reminder when it expires within
 * this many days (default 3); `schakel partners remind` sends them.
 */
const schema = z.object({
  SCHAKEL_INVITATION_TERM_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  SCHAKEL_INVITATION_REMINDER_DAYS: z.coerce.number().int().min(0).max(365).default(3),
});

export interface PartnersConfig { termDays: number; reminderDays: number }

export function loadPartnersConfig(env: NodeJS.ProcessEnv = process.env): PartnersConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const variable = String(parsed.error.issues[0].path[0]);
    throw new ConfigError(variable, "must be a whole number of days (term 1-365, reminder 0-365)");
  }
  return { termDays: parsed.data.SCHAKEL_INVITATION_TERM_DAYS, reminderDays: parsed.data.SCHAKEL_INVITATION_REMINDER_DAYS };
}

let cached: PartnersConfig | null = null;
export const partnersConfig = (): PartnersConfig => {
  cached ??= loadPartnersConfig();
  return cached;
};
