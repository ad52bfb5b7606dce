import type { SchakelMigration } from "../../platform/db/migrate";

/**
 * One row per single sign-on round trip in progress (login or account linking). The browser holds
 * only a random token in a short-lived cookie; the row is keyed on its SHA-256 and holds state,
 * nonce and PKCE verifier server-side. A callback consumes the row (delete) before anything else,
 * so a replayed callback finds nothing. Rows older than ten minutes are refused and purged.
 */
export const ssoMigrations: SchakelMigration[] = [
  {
    name: "2026120111_identity_oidc_flow",
    async up(db) {
      await db.schema
        .createTable("oidc_flow")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("nonce", "text", (c) => c.notNull())
        .addColumn("code_verifier", "text", (c) => c.notNull())
        .addColumn("user_id", "text")
        .addColumn("session_id", "text")
        .addColumn("next_path", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("oidc_flow_created").on("oidc_flow").column("created_at").execute();
    },
  },
  {
    // Back-channel logout (decision 0038): Logout Token ids seen (replay refused until they
    // expire) and the provider's session ids (sid) of SSO logins, so a token naming only a sid
    // finds its account. Neither holds personal data. (oidc_sid: dropped by 2026121080 below.)
    name: "2026121070_identity_backchannel_logout",
    async up(db) {
      await db.schema
        .createTable("oidc_logout_jti")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("oidc_logout_jti_expires").on("oidc_logout_jti").column("expires_at").execute();
      await db.schema
        .createTable("oidc_sid")
        .addColumn("issuer", "text", (c) => c.notNull())
        .addColumn("sid", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("oidc_sid_pk", ["issuer", "sid"])
        .execute();
      await db.schema.createIndex("oidc_sid_user").on("oidc_sid").column("user_id").execute();
      await db.schema.createIndex("oidc_sid_created").on("oidc_sid").column("created_at").execute();
    },
  },
  {
    // Back-channel logout per provider session (decision 0038): the ID token's sid is kept on the
    // Schakel session row itself (rotation copies the row, so it survives every new id, and it
    // goes when the row goes). The per-account table above is retired. SSO sessions from before
    // this migration have no sid; a token naming their account ends them (the safe side).
    name: "2026121080_identity_session_oidc_sid",
    async up(db) {
      await db.schema.alterTable("session").addColumn("oidc_sid", "text").execute();
      await db.schema.createIndex("session_oidc_sid").on("session").column("oidc_sid").execute();
      await db.schema.dropTable("oidc_sid").execute();
    },
  },
];

/** A Logout Token's jti seen: id = SHA-256 of issuer and jti; kept until the token could no longer be accepted. */
export interface OidcLogoutJtiTable {
  id: string;
  expires_at: string;
}

export interface OidcFlowTable {
  id: string;
  purpose: "login" | "link";
  state: string;
  nonce: string;
  code_verifier: string;
  /** For "link": the account and the (re-authenticated) session that started it. */
  user_id: string | null;
  session_id: string | null;
  next_path: string | null;
  created_at: string;
}

declare module "../../platform/db/schema" {
  interface DB {
    oidc_flow: OidcFlowTable;
    oidc_logout_jti: OidcLogoutJtiTable;
  }
}
