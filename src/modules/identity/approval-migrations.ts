import { type Generated, sql } from "kysely";
import type { SchakelMigration } from "../../platform/db/migrate";
import type { MembershipApproval, PlatformRole } from "./migrations";

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
  {
    // Four eyes on the admin and dpo platform roles (decision 0049, amended): a request is its own row
    // here; only an approval writes platform_role, so every reader of platform_role (the session
    // statement, the policy, the last-administrator rule) stays as it was.
    name: "2026121801_identity_platform_role_request",
    async up(db) {
      await db.schema
        .createTable("platform_role_request")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("app_user.id"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("approval", "text", (c) => c.notNull().defaultTo("pending"))
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("requested_at", "text", (c) => c.notNull())
        .addColumn("decided_by", "text")
        .addColumn("decided_at", "text")
        .addColumn("refusal_reason", "text")
        .execute();
      await db.schema.createIndex("platform_role_request_approval").on("platform_role_request").columns(["approval", "user_id"]).execute();
    },
  },
  {
    // Issue 9: SQLite, without statistics, chose membership_approval (approval, livc_id) for the session
    // statement's "memberships of this user, approved" and scanned every approved row: 2.6 ms instead of
    // ~10 us on every request at scale (the benchmark found it). Only PENDING rows need an index (the
    // approval lists and the navigation count): a partial index is never a candidate for approved rows.
    name: "2026121901_identity_membership_pending_index",
    async up(db) {
      await db.schema.dropIndex("membership_approval").execute();
      await sql`create index membership_pending on membership (livc_id) where approval = 'pending'`.execute(db);
    },
  },
  {
    // The approvers are told by mail (decision 0056): when each request was mailed to them and when
    // the one reminder went, so neither is sent twice. Requests already pending count as mailed (no
    // burst of old requests at the first new one); their reminder is still due after 7 days.
    name: "2026122010_identity_approval_mail",
    async up(db) {
      for (const table of ["membership", "platform_role_request"] as const) {
        await db.schema.alterTable(table).addColumn("approvers_mailed_at", "text").execute();
        await db.schema.alterTable(table).addColumn("approvers_reminded_at", "text").execute();
        await db.updateTable(table).set({ approvers_mailed_at: sql`requested_at` }).where("approval", "=", "pending").execute();
      }
    },
  },
  {
    // Every submitted report asks for the LIVC's screeners (decisions 0060, issue 9): with an index on
    // livc_id alone that read every membership row of the LIVC (~160 us for 40 at scale); (livc_id, role)
    // finds the two or three screeners. It replaces membership_livc (same leading column, so every query
    // on livc_id keeps an index); the session statement's plan (membership_user) is unchanged.
    name: "2026122080_identity_membership_livc_role",
    async up(db) {
      await db.schema.createIndex("membership_livc_role").on("membership").columns(["livc_id", "role"]).execute();
      await db.schema.dropIndex("membership_livc").execute();
    },
  },
];

/** A request for the admin or dpo platform role (decision 0049): pending until a second administrator decides. */
export interface PlatformRoleRequestTable {
  id: string;
  user_id: string;
  role: PlatformRole;
  approval: Generated<MembershipApproval>;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  refusal_reason: string | null;
  /** When the request was mailed to the people who may decide it, and when the one reminder went (decision 0056). */
  approvers_mailed_at: string | null;
  approvers_reminded_at: string | null;
}

declare module "../../platform/db/schema" {
  interface DB {
    platform_role_request: PlatformRoleRequestTable;
  }
}
