import { sql } from "kysely";
import type { SchakelMigration } from "../../platform/db/migrate";

/**
 * Action owners are told (decision 0061). Three columns on `case_action`:
 * - revision: +1 on every change (edit, status); an edit names the revision its form was loaded with
 *   and is refused when the row moved on meanwhile (no lost update, no silent re-edit of a done action);
 * - owner_mailed_at: when the owning organisation's members were told of the assignment (null = still
 *   to tell; set for every existing row, so old actions are not announced now);
 * - reminded_at: when the one reminder before the due date went out (null = not yet). An edit that
 *   changes the owner clears both marks, one that changes the due date clears reminded_at.
 */
export const caseActionMigrations: SchakelMigration[] = [
  {
    name: "2026122060_cases_action_owner_mail",
    async up(db) {
      // One column per statement: SQLite's ALTER TABLE adds one column at a time.
      await db.schema.alterTable("case_action").addColumn("revision", "integer", (c) => c.notNull().defaultTo(1)).execute();
      await db.schema.alterTable("case_action").addColumn("owner_mailed_at", "text").execute();
      await db.schema.alterTable("case_action").addColumn("reminded_at", "text").execute();
      await sql`update case_action set owner_mailed_at = ${new Date().toISOString()}`.execute(db);
      // The daily reminder run reads open actions by due date (the owner's index serves the work list).
      await db.schema.createIndex("case_action_remind").on("case_action").columns(["status", "due_on"]).execute();
    },
  },
];

declare module "./migrations" {
  interface CaseActionTable {
    revision: number;
    owner_mailed_at: string | null;
    reminded_at: string | null;
  }
}
