import { z } from "zod";
import { ConfigError } from "../../platform/config";

/**
 * Intake's retention settings (environment variables, validated once; a bad value names the variable;
 * decision 0053). The server checks them at start (intake's routes), `schakel purge` when it runs.
 * SCHAKEL_DRAFT_RETENTION_DAYS: a draft report nobody has saved for this many days is erased by the
 *   daily purge (default 30).
 * SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS: a report screened as "no further action" or "referred to regular
 *   care" keeps its personal data this many months after the screening decision (default 12), or until
 *   its general term ends if that comes first. Computed at every purge run from the decision date, so a
 *   changed value counts for every stored report from the next run on.
 */
const schema = z.object({
  SCHAKEL_DRAFT_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
});

const EXPECTED: Record<keyof typeof schema.shape, string> = {
  SCHAKEL_DRAFT_RETENTION_DAYS: "must be a whole number of days from 1 to 365",
  SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS: "must be a whole number of months from 1 to 120",
};

export interface IntakeRetentionConfig {
  draftDays: number;
  notTakenUpMonths: number;
}

export function loadIntakeRetentionConfig(env: NodeJS.ProcessEnv = process.env): IntakeRetentionConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const variable = String(parsed.error.issues[0].path[0]) as keyof typeof schema.shape;
    const got = String(cleaned[variable] ?? "").slice(0, 40);
    throw new ConfigError(variable, `${EXPECTED[variable]} (got "${got}")`);
  }
  return { draftDays: parsed.data.SCHAKEL_DRAFT_RETENTION_DAYS, notTakenUpMonths: parsed.data.SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS };
}

let cached: IntakeRetentionConfig | null = null;
export const intakeRetentionConfig = (): IntakeRetentionConfig => {
  cached ??= loadIntakeRetentionConfig();
  return cached;
};
