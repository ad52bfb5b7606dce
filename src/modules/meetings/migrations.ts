import { sql } from "kysely";
import type { SchakelMigration } from "../../platform/db/migrate";

/**
 * Consultations (casusoverleg). The partners module creates `consultation` and the attendance
 * register (agreement in src/modules/partners/migrations.ts); this module owns the meeting itself
 * and adds: time, place or video link, the framework version in force, reminders (columns on
 * `consultation`), the agenda of cases with the services invited per case, the confidentiality
 * acknowledgement per participant, and minimal minutes per case (decisions encrypted).
 */
export const meetingsMigrations: SchakelMigration[] = [
  {
    name: "2026120210_meetings_init",
    async up(db) {
      for (const column of ["starts_at", "place", "video_url", "scheduled_by", "reminder_sent_at", "updated_at"]) {
        await db.schema.alterTable("consultation").addColumn(column, "text").execute();
      }
      await db.schema.alterTable("consultation").addColumn("framework_version", "integer").execute();
      await db.schema
        .createTable("consultation_case")
        .addColumn("consultation_id", "text", (c) => c.notNull().references("consultation.id"))
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("consultation_case_pk", ["consultation_id", "case_id"])
        .execute();
      await db.schema.createIndex("consultation_case_case").on("consultation_case").column("case_id").execute();
      // The services invited for one case on the agenda; the invitation itself is the partners module's.
      await db.schema
        .createTable("consultation_case_service")
        .addColumn("consultation_id", "text", (c) => c.notNull().references("consultation.id"))
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("organisation_id", "text", (c) => c.notNull())
        .addColumn("invitation_id", "text")
        .addPrimaryKeyConstraint("consultation_case_service_pk", ["consultation_id", "case_id", "organisation_id"])
        .execute();
      // Art. 458ter: a participant acknowledges the shared professional secrecy for this meeting.
      await db.schema
        .createTable("consultation_ack")
        .addColumn("consultation_id", "text", (c) => c.notNull().references("consultation.id"))
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("framework_version", "integer")
        .addColumn("acknowledged_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("consultation_ack_pk", ["consultation_id", "user_id"])
        .execute();
      // Minimal minutes: decisions (encrypted, optional) and the next review date. Actions go to the
      // case's follow-up plan. No field is required: nobody is made to disclose anything.
      await db.schema
        .createTable("consultation_minutes")
        .addColumn("consultation_id", "text", (c) => c.notNull().references("consultation.id"))
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("decisions_enc", "text")
        .addColumn("next_review_on", "text")
        .addColumn("recorded_by", "text")
        .addColumn("recorded_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("consultation_minutes_pk", ["consultation_id", "case_id"])
        .execute();
    },
  },
  // Issue 9: a case page reads its minutes by case; the primary key starts with the consultation (full scan).
  {
    name: "2026120901_meetings_minutes_case_index",
    async up(db) {
      await db.schema.createIndex("consultation_minutes_case").on("consultation_minutes").columns(["case_id", "recorded_at"]).execute();
    },
  },
  // Decision 0043: a planned consultation can be cancelled, with a reason from a fixed list and an optional note.
  {
    name: "2026121100_meetings_cancellation",
    async up(db) {
      for (const column of ["cancel_reason", "cancel_note", "cancelled_at", "cancelled_by"]) {
        await db.schema.alterTable("consultation").addColumn(column, "text").execute();
      }
    },
  },
  // Decision 0051: ONE attendance register, per person. The chair, coordinator and information officer
  // linked on the LIVC form hold no organisation, yet they take part: the register's organisation (and
  // its sector) become optional. The participation figures keep counting organisation lines only.
  {
    name: "2026121401_meetings_attendance_person",
    async up(db, dialect) {
      if (dialect === "postgres") {
        await sql`alter table consultation_attendance alter column organisation_id drop not null, alter column sector drop not null`.execute(db);
        return;
      }
      // SQLite cannot drop a NOT NULL: the table is rebuilt with the same columns, rows and indexes.
      await db.schema
        .createTable("consultation_attendance_next")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("consultation_id", "text", (c) => c.notNull().references("consultation.id"))
        .addColumn("user_id", "text", (c) => c.references("app_user.id"))
        .addColumn("organisation_id", "text", (c) => c.references("organisation.id"))
        .addColumn("sector", "text")
        .addColumn("attended", "integer", (c) => c.notNull())
        .addColumn("recorded_at", "text", (c) => c.notNull())
        .execute();
      await sql`insert into consultation_attendance_next (id, consultation_id, user_id, organisation_id, sector, attended, recorded_at)
        select id, consultation_id, user_id, organisation_id, sector, attended, recorded_at from consultation_attendance`.execute(db);
      await db.schema.dropTable("consultation_attendance").execute();
      await db.schema.alterTable("consultation_attendance_next").renameTo("consultation_attendance").execute();
      await db.schema.createIndex("consultation_attendance_consultation").on("consultation_attendance").column("consultation_id").execute();
      await db.schema.createIndex("consultation_attendance_present").on("consultation_attendance").columns(["consultation_id", "attended", "organisation_id"]).execute();
    },
  },
  // Decision 0058: the minutes of a case on a meeting carry a revision; a save names the revision its
  // form was loaded with and is refused when someone else saved in the meantime (nothing overwritten).
  {
    name: "2026122030_meetings_minutes_revision",
    async up(db) {
      await db.schema.alterTable("consultation_minutes").addColumn("revision", "integer", (c) => c.notNull().defaultTo(1)).execute();
    },
  },
];

/** Why a planned consultation was cancelled (decision 0043). */
export const CANCEL_REASONS = ["no_cases", "too_few_participants", "merged", "force_majeure", "other"] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export interface ConsultationCaseTable { consultation_id: string; case_id: string; position: number }
export interface ConsultationCaseServiceTable { consultation_id: string; case_id: string; organisation_id: string; invitation_id: string | null }
export interface ConsultationAckTable { consultation_id: string; user_id: string; framework_version: number | null; acknowledged_at: string }
export interface ConsultationMinutesTable {
  consultation_id: string;
  case_id: string;
  decisions_enc: string | null;
  next_review_on: string | null;
  recorded_by: string | null;
  recorded_at: string;
  /** Decision 0058: 1 for the first save, +1 for every later one (optimistic concurrency). */
  revision: number;
}
/** The columns this module adds to the partners module's `consultation`. */
export interface ConsultationMeetingColumns {
  starts_at: string | null;
  place: string | null;
  video_url: string | null;
  scheduled_by: string | null;
  reminder_sent_at: string | null;
  updated_at: string | null;
  framework_version: number | null;
  cancel_reason: CancelReason | null;
  cancel_note: string | null;
  cancelled_at: string | null;
  cancelled_by: string | null;
}

declare module "../../platform/db/schema" {
  interface DB {
    consultation_case: ConsultationCaseTable;
    consultation_case_service: ConsultationCaseServiceTable;
    consultation_ack: ConsultationAckTable;
    consultation_minutes: ConsultationMinutesTable;
  }
}
