import type { SchakelMigration } from "../platform/db/migrate";
import { auditMigrations } from "../platform/audit/chain";
import { stashMigrations } from "../platform/auth/stash";
import { cryptoMigrations } from "../platform/crypto/keyring";
import { dailyRunMigrations } from "../platform/daily-runs";
import { metaMigrations } from "../platform/meta";
import { awarenessMigrations } from "./awareness/migrations";
import { caseActionMigrations } from "./cases/action-migrations";
import { caseRetentionMigrations } from "./cases/retention-migrations";
import { casesMigrations } from "./cases/migrations";
import { approvalMigrations } from "./identity/approval-migrations";
import { identityMigrations } from "./identity/migrations";
import { ssoMigrations } from "./identity/sso-migrations";
import { intakeMigrations } from "./intake/migrations";
import { handoverMigrations } from "./intake/handover-migrations";
import { lifecycleMigrations } from "./intake/lifecycle-migrations";
import { screeningMailMigrations } from "./intake/screening-mail-migrations";
import { meetingsMigrations } from "./meetings/migrations";
import { partnersMigrations } from "./partners/migrations";
import { referenceMigrations } from "./reference/migrations";
import { registryMigrations } from "./registry/migrations";

/** Every module's migrations. Add a module's list here; names order them globally. */
export function allMigrations(): SchakelMigration[] {
  return [...metaMigrations, ...dailyRunMigrations, ...referenceMigrations, ...registryMigrations, ...auditMigrations, ...cryptoMigrations, ...identityMigrations, ...ssoMigrations, ...approvalMigrations, ...partnersMigrations, ...awarenessMigrations, ...intakeMigrations, ...lifecycleMigrations, ...handoverMigrations, ...screeningMailMigrations, ...casesMigrations, ...caseActionMigrations, ...caseRetentionMigrations, ...meetingsMigrations, ...stashMigrations].sort((a, b) => a.name.localeCompare(b.name));
}
