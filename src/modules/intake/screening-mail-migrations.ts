import type { SchakelMigration } from "../../platform/db/migrate";
import { todayInBrussels } from "../../platform/db/values";

/**
 * Screening deadline reminders (decision 0060, deadline-reminders.ts): on each report, the deadline
 * for which the "near" and the "passed" reminder went out. Open reports already past their deadline
 * at the upgrade count as reminded of both: no burst of mails about old reports (the queue marks
 * them overdue); reports whose deadline is still ahead get their reminders as usual.
 */
export const screeningMailMigrations: SchakelMigration[] = [
  {
    name: "2026122050_intake_screening_reminders",
    async up(db) {
      await db.schema.alterTable("report").addColumn("screening_near_reminded_for", "text").execute();
      await db.schema.alterTable("report").addColumn("screening_passed_reminded_for", "text").execute();
      await db
        .updateTable("report")
        .set((eb) => ({ screening_near_reminded_for: eb.ref("screening_due_on"), screening_passed_reminded_for: eb.ref("screening_due_on") }))
        .where("status", "in", ["received", "in_screening"])
        .where("screening_due_on", "<", todayInBrussels())
        .execute();
    },
  },
  {
    // Issue 9: the newest unread alerts (20) walk this index newest first and stop, instead of reading and
    // sorting every unread alert of the person (590 ms at 255,000). It covers the old (user_id, read_at).
    name: "2026122130_intake_alert_unread_order",
    async up(db) {
      await db.schema.createIndex("intake_alert_unread").on("intake_alert").columns(["user_id", "read_at", "created_at", "id"]).execute();
      await db.schema.dropIndex("intake_alert_user").execute();
    },
  },
  {
    // Issue 9: the reports of a case (its identity page, the case's purge, rectification, linking) were
    // found by reading every report (109 ms at 130,000 on the bench database). Partial: a report gets a
    // case only when it is taken up, so a new submission does not write to this index.
    name: "2026122131_intake_report_case",
    async up(db) {
      await db.schema.createIndex("report_case").on("report").column("case_id").where("case_id", "is not", null).execute();
    },
  },
  {
    // Issue 9: deleting a report (a draft its reporter discards, the stale-drafts job) checks that no alert
    // points at it, and without an index on the alert's report that check read every alert of every
    // person: SQLite `SCAN intake_alert` per deleted report (128,000 alerts at scale 1; removing 2,558
    // reports took 53 s). The foreign-key index test (platform/db/foreign-keys.test.ts) keeps it so.
    name: "2026123021_intake_alert_report",
    async up(db) {
      await db.schema.createIndex("intake_alert_report").on("intake_alert").column("report_id").execute();
    },
  },
];
