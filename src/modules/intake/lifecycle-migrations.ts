import { sql } from "kysely";
import type { SchakelMigration } from "../../platform/db/migrate";

/**
 * Data lifecycle (decision 0053). One list, because the clean-up spans tables of several modules;
 * each step is idempotent.
 */
export const lifecycleMigrations: SchakelMigration[] = [
  {
    name: "2026121501_intake_lifecycle",
    async up(db) {
      // The daily purge asks for drafts by age and for reports not taken up by decision date.
      await db.schema.createIndex("report_status_updated").ifNotExists().on("report").columns(["status", "updated_at"]).execute();
      await db.schema.createIndex("report_status_decided").ifNotExists().on("report").columns(["status", "decided_at"]).execute();
      // Login-throttle keys are keyed hashes from now on: the old rows held raw client addresses
      // ("addr:<ip>") and unkeyed e-mail hashes, which no new key matches. At most 15 minutes of
      // delay is lost for someone being throttled at the moment of the upgrade.
      await db.deleteFrom("login_throttle").execute();
      // A case consultation's decline takes a reason code only: notes stored before were free text
      // about a case, in clear. The reason code stays, so the participation figures do not change.
      await db.updateTable("partner_invitation").set({ decline_note: null }).where("kind", "=", "consultation").where("decline_note", "is not", null).execute();
    },
  },
  {
    // A consultation is cancelled with a reason code only: notes stored before were free text in clear
    // on a meeting about cases. The reason code stays.
    name: "2026121501_meetings_cancel_note",
    async up(db) {
      // The column is the meetings module's (ConsultationMeetingColumns), not in the typed DB: plain SQL.
      await sql`update consultation set cancel_note = null where cancel_note is not null`.execute(db);
    },
  },
];
