import type { SchakelMigration } from "../../platform/db/migrate";

/**
 * Four-eyes approval of LIVC roles given by an administrator (decision 0049). A membership row now
 * says whether it counts: approval "approved" (every existing row, and grants that do not come from a
 * single administrator), "pending" (requested by an administrator, gives no access), "refused" or
 * "withdrawn" (never counts; kept with who decided, when and, for a refusal, why). Every reader of
 * memberships that decides access reads approved rows only (session query, membersOfLivc, the LIVC's
 * role list). The index serves the pending lists and the per-request pending count.
 */
export const approvalMigrations: SchakelMigration[] = [
  {
    name: "2026121201_identity_membership_approval",
    async up(db) {
      // One column per statement: SQLite's ALTER TABLE adds one column at a time.
      await db.schema.alterTable("membership").addColumn("approval", "text", (c) => c.notNull().defaultTo("approved")).execute();
      for (const column of ["requested_by", "requested_at", "decided_by", "decided_at", "refusal_reason"]) {
        await db.schema.alterTable("membership").addColumn(column, "text").execute();
      }
      await db.schema.createIndex("membership_approval").on("membership").columns(["approval", "livc_id"]).execute();
    },
  },
];
