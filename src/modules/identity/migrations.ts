import { type ColumnType, sql } from "kysely";
import type { SchakelMigration } from "../../platform/db/migrate";
import type { Locale } from "../../platform/i18n/define";
import type { LivcRole } from "../../platform/policy/actor";
import type { Sector } from "./sectors";

export const PLATFORM_ROLES = ["admin", "regional_analyst", "dpo"] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];
export type UserStatus = "active" | "disabled" | "invited";

export const identityMigrations: SchakelMigration[] = [
  {
    name: "2026120110_identity_init",
    async up(db) {
      await db.schema
        .createTable("organisation")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("sector", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      // "user" is a reserved word in PostgreSQL, hence app_user.
      await db.schema
        .createTable("app_user")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("password_hash", "text")
        .addColumn("totp_secret", "text")
        .addColumn("totp_last_step", "integer")
        .addColumn("oidc_issuer", "text")
        .addColumn("oidc_subject", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("organisation_id", "text", (c) => c.references("organisation.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addUniqueConstraint("app_user_oidc", ["oidc_issuer", "oidc_subject"])
        .execute();
      await db.schema
        .createTable("platform_role")
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("granted_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("platform_role_pk", ["user_id", "role"])
        .execute();
      // livc_id has no foreign key: the LIVC register is another module's table.
      await db.schema
        .createTable("membership")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("livc_id", "text")
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("organisation_id", "text", (c) => c.references("organisation.id"))
        .addColumn("valid_from", "text", (c) => c.notNull())
        .addColumn("valid_to", "text")
        .execute();
      await db.schema.createIndex("membership_user").on("membership").column("user_id").execute();
      await db.schema.createIndex("membership_livc").on("membership").column("livc_id").execute();
      // id is the SHA-256 of the cookie value: a database leak does not hand out live sessions.
      await db.schema
        .createTable("session")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("stage", "text", (c) => c.notNull())
        .addColumn("csrf_token", "text", (c) => c.notNull())
        .addColumn("auth_method", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("reauth_at", "text")
        .addColumn("rotate", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_path", "text")
        .addColumn("pending_totp", "text")
        .execute();
      await db.schema.createIndex("session_user").on("session").column("user_id").execute();
      await db.schema
        .createTable("recovery_code")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("code_hash", "text", (c) => c.notNull())
        .addColumn("used_at", "text")
        .execute();
      await db.schema.createIndex("recovery_code_user").on("recovery_code").column("user_id").execute();
      // Invitation and reset links: only the hash of the token is stored.
      await db.schema
        .createTable("account_token")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("used_at", "text")
        .execute();
      await db.schema
        .createTable("login_throttle")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("failures", "integer", (c) => c.notNull())
        .addColumn("last_failure_at", "text", (c) => c.notNull())
        .addColumn("blocked_until", "text", (c) => c.notNull())
        .execute();
    },
  },
  {
    // Each account's language: its mails are sent in it, and it is the UI language after login
    // when the browser has made no choice of its own (decision 0035).
    name: "2026121040_identity_account_language",
    async up(db) {
      await db.schema
        .alterTable("app_user")
        .addColumn("language", "text", (c) => c.notNull().defaultTo("nl").check(sql`language in ('nl', 'fr', 'en')`))
        .execute();
    },
  },
];

export interface OrganisationTable { id: string; name: string; sector: Sector; created_at: string }
export interface AppUserTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_last_step: number | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  status: UserStatus;
  organisation_id: string | null;
  created_at: string;
  updated_at: string;
  /** nl, fr or en: the language of the account's mails and its UI default (decision 0035). */
  language: Locale;
}
export interface PlatformRoleTable { user_id: string; role: PlatformRole; granted_at: string }
export interface MembershipTable {
  id: string;
  user_id: string;
  livc_id: string | null;
  role: LivcRole;
  organisation_id: string | null;
  valid_from: string;
  valid_to: string | null;
  /** Decision 0049: only "approved" counts; the column's default (existing rows, fixtures) is "approved". */
  approval: ColumnType<MembershipApproval, MembershipApproval | undefined, MembershipApproval>;
  /** The administrator who asked for it (pending grants); null for immediate grants. */
  requested_by: string | null;
  requested_at: string | null;
  /** Who approved, refused or withdrew it, and when. */
  decided_by: string | null;
  decided_at: string | null;
  refusal_reason: string | null;
  /** Pending requests: when they were mailed to the people who may decide them, and when the one reminder went (decision 0056). */
  approvers_mailed_at: string | null;
  approvers_reminded_at: string | null;
}
export const MEMBERSHIP_APPROVALS = ["approved", "pending", "refused", "withdrawn"] as const;
export type MembershipApproval = (typeof MEMBERSHIP_APPROVALS)[number];
export type SessionStage = "mfa" | "enrol" | "full";
export interface SessionTable {
  id: string;
  user_id: string;
  stage: SessionStage;
  csrf_token: string;
  auth_method: "password" | "oidc";
  created_at: string;
  last_seen_at: string;
  reauth_at: string | null;
  rotate: number;
  next_path: string | null;
  /** A TOTP secret being enrolled (encrypted), until the first code confirms it. */
  pending_totp: string | null;
  /**
   * The provider's session id (the ID token's `sid`) of an SSO login, carried through every
   * rotation; a back-channel Logout Token naming it ends this session (decision 0038). Null for
   * password sessions and when the ID token had no sid.
   */
  oidc_sid: string | null;
}
export interface RecoveryCodeTable { id: string; user_id: string; code_hash: string; used_at: string | null }
export interface AccountTokenTable { id: string; user_id: string; purpose: "invite" | "reset"; created_at: string; expires_at: string; used_at: string | null }
export interface LoginThrottleTable { key: string; failures: number; last_failure_at: string; blocked_until: string }

declare module "../../platform/db/schema" {
  interface DB {
    organisation: OrganisationTable;
    app_user: AppUserTable;
    platform_role: PlatformRoleTable;
    membership: MembershipTable;
    session: SessionTable;
    recovery_code: RecoveryCodeTable;
    account_token: AccountTokenTable;
    login_throttle: LoginThrottleTable;
  }
}
