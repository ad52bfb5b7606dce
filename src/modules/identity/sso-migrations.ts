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
];

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
  }
}
