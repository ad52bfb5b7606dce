import type { SchakelMigration } from "../../platform/db/migrate";
import type { ReportStatus } from "./workflow";

/**
 * Intake: reports (aanmeldingen), their append-only status history, in-app alerts and the
 * regional contact points. Personal fields are stored only as ciphertext written by the
 * personal-data path (src/platform/personal-data); columns ending in _enc hold such values.
 * The blind index (subject_index) lets screening find a possible duplicate without plaintext search.
 */
export const intakeMigrations: SchakelMigration[] = [
  {
    name: "2026120160_intake_init",
    async up(db) {
      await db.schema
        .createTable("report")
        .addColumn("id", "text", (c) => c.primaryKey())
        // Shown to the reporter; random, carries no personal data and no sequence.
        .addColumn("reference", "text", (c) => c.notNull().unique())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("reporter_user_id", "text", (c) => c.notNull())
        .addColumn("reporter_organisation_id", "text")
        // Routing result: an LIVC, or (no LIVC covers the municipality that day) the regional queue of its province.
        .addColumn("livc_id", "text")
        .addColumn("regional_queue", "text")
        .addColumn("municipality_nis", "text")
        .addColumn("routed_on", "text")
        .addColumn("identity_known", "integer", (c) => c.notNull())
        .addColumn("minor", "integer", (c) => c.notNull())
        .addColumn("danger_now", "integer", (c) => c.notNull())
        .addColumn("notify_status", "integer", (c) => c.notNull())
        .addColumn("subject_index", "text")
        // One encrypted JSON document with everything written about the person and the reporter's contact.
        .addColumn("content_enc", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("submitted_at", "text")
        .addColumn("screening_due_on", "text")
        .addColumn("retention_until", "text")
        .addColumn("decided_at", "text")
        .addColumn("case_id", "text")
        .execute();
      await db.schema.createIndex("report_reporter").on("report").columns(["reporter_user_id", "created_at"]).execute();
      await db.schema.createIndex("report_livc_status").on("report").columns(["livc_id", "status"]).execute();
      await db.schema.createIndex("report_subject_index").on("report").columns(["subject_index"]).execute();
      // Append-only: every status change with who, when and (encrypted) why.
      await db.schema
        .createTable("report_event")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("report_id", "text", (c) => c.notNull().references("report.id"))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor_id", "text")
        .addColumn("transition", "text", (c) => c.notNull())
        .addColumn("from_status", "text", (c) => c.notNull())
        .addColumn("to_status", "text", (c) => c.notNull())
        .addColumn("referral_service", "text")
        .addColumn("reason_enc", "text")
        .execute();
      await db.schema.createIndex("report_event_report").on("report_event").columns(["report_id", "at"]).execute();
      // In-app alerts ("danger now", new report in the regional queue). They name the report only.
      await db.schema
        .createTable("intake_alert")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("report_id", "text", (c) => c.notNull().references("report.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("read_at", "text")
        .execute();
      await db.schema.createIndex("intake_alert_user").on("intake_alert").columns(["user_id", "read_at"]).execute();
      // Who answers for municipalities without an LIVC; province (its name, as the regional queue key) null = all of Flanders.
      await db.schema
        .createTable("intake_regional_contact")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("province", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      // MINIMAL case record. src/modules/cases owns this table (its migration creates it too if this
      // one is absent, extends it and declares its type); intake only calls cases/service.ts
      // openCaseFromScreening() when screening takes a report up.
      await db.schema
        .createTable("case_file")
        .ifNotExists()
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("source_report_id", "text")
        .addColumn("subject_index", "text")
        .addColumn("minor", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("opened_at", "text", (c) => c.notNull())
        .addColumn("opened_by", "text")
        .addColumn("retention_until", "text")
        .execute();
    },
  },
  {
    // Retention end of reports (decision 0019): the purge blanks the personal fields and marks the
    // report; report_purge_log is the proof (kinds and counts removed, never content).
    name: "2026120903_intake_report_purge",
    async up(db) {
      await db.schema.alterTable("report").addColumn("purged_at", "text").execute();
      await db.schema.createIndex("report_retention").on("report").columns(["retention_until"]).execute();
      await db.schema
        .createTable("report_purge_log")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("report_id", "text", (c) => c.notNull())
        // The random reference (no personal data), so a reporter's question can be answered.
        .addColumn("reference", "text", (c) => c.notNull())
        .addColumn("livc_id", "text")
        .addColumn("purged_at", "text", (c) => c.notNull())
        .addColumn("retention_until", "text")
        // "retention_end" or "case_purged" (the case the report was taken up in was purged).
        .addColumn("cause", "text", (c) => c.notNull())
        .addColumn("removed", "text", (c) => c.notNull())
        .execute();
    },
  },
  {
    // The screening queue in pages (decision 0028): each order is an index scan within one LIVC (or,
    // with livc_id NULL, the regional queue), so page one of 50 reads about 50 index entries, not
    // the whole queue; status is in the index so the filter needs no table read.
    name: "2026121020_intake_queue_order",
    async up(db) {
      await db.schema.createIndex("report_queue_open").on("report").columns(["livc_id", "screening_due_on", "submitted_at", "id", "status"]).execute();
      await db.schema.createIndex("report_queue_decided").on("report").columns(["livc_id", "decided_at", "id", "status"]).execute();
      // The duplicate flag of a page asks by blind index within an LIVC: with subject_index alone the
      // planner preferred the LIVC's whole range (108 ms at scale 1 for one page); this one is a lookup.
      // It covers what report_subject_index served, which it replaces.
      await db.schema.createIndex("report_subject_livc").on("report").columns(["subject_index", "livc_id", "status"]).execute();
      await db.schema.dropIndex("report_subject_index").execute();
    },
  },
  {
    // Closing days per LIVC (decision 0029, amended): "MM-DD" every year or "YYYY-MM-DD" that date only,
    // counted with SCHAKEL_EXTRA_HOLIDAYS and the legal holidays for the reports of that LIVC. The
    // description is a short label ("Kermismaandag"), never personal data. One row per LIVC and day.
    name: "2026121100_intake_livc_closing_days",
    async up(db) {
      await db.schema
        .createTable("intake_livc_closing_day")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by", "text")
        .execute();
      await db.schema.createIndex("intake_livc_closing_day_unique").on("intake_livc_closing_day").columns(["livc_id", "day"]).unique().execute();
    },
  },
  {
    // A reporter adds to, or withdraws, a submitted report (decision 0048). A supplement is one
    // encrypted JSON document (observation and signals) written through intake's personal-data door;
    // the withdrawal keeps its reason code (a fixed list, no personal data) on the report.
    name: "2026121110_intake_report_supplement",
    async up(db) {
      await db.schema
        .createTable("report_supplement")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("report_id", "text", (c) => c.notNull().references("report.id"))
        .addColumn("author_user_id", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        // The report's status when the supplement came in: after a decision it is new information.
        .addColumn("report_status", "text", (c) => c.notNull())
        // "" once the retention purge has removed it (never ciphertext then).
        .addColumn("content_enc", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("report_supplement_report").on("report_supplement").columns(["report_id", "created_at"]).execute();
      await db.schema.alterTable("report").addColumn("withdrawn_reason", "text").execute();
    },
  },
];

export interface ReportTable {
  id: string;
  reference: string;
  status: ReportStatus;
  reporter_user_id: string;
  reporter_organisation_id: string | null;
  livc_id: string | null;
  regional_queue: string | null;
  municipality_nis: string | null;
  routed_on: string | null;
  identity_known: number;
  minor: number;
  danger_now: number;
  notify_status: number;
  subject_index: string | null;
  content_enc: string;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  screening_due_on: string | null;
  retention_until: string | null;
  decided_at: string | null;
  case_id: string | null;
  /** Set by the retention purge (content_enc is then "" and the other personal fields null). */
  purged_at?: string | null;
  /** Set when the reporter withdrew the report: a code from WITHDRAW_REASONS (supplement.ts). */
  withdrawn_reason?: string | null;
}
export interface ReportEventTable {
  id: string;
  report_id: string;
  at: string;
  actor_id: string | null;
  transition: string;
  from_status: string;
  to_status: string;
  referral_service: string | null;
  reason_enc: string | null;
}
export interface IntakeAlertTable { id: string; user_id: string; report_id: string; kind: "danger_now" | "regional_new" | "supplement" | "withdrawn" | "new_report" | "deadline_near" | "deadline_passed"; created_at: string; read_at: string | null }
export interface ReportSupplementTable { id: string; report_id: string; author_user_id: string; created_at: string; report_status: string; content_enc: string }
export interface ReportPurgeLogTable { id: string; report_id: string; reference: string; livc_id: string | null; purged_at: string; retention_until: string | null; cause: ReportPurgeCause; removed: string }
/** Why a report's personal data went (decisions 0019, 0048, 0053); drafts are erased altogether. */
export type ReportPurgeCause = "retention_end" | "case_purged" | "withdrawn_wrong_person" | "not_taken_up_end" | "draft_expired" | "draft_discarded";
export interface IntakeRegionalContactTable { id: string; user_id: string; province: string | null; created_at: string }
export interface IntakeLivcClosingDayTable { id: string; livc_id: string; day: string; description: string; created_at: string; created_by: string | null }
declare module "../../platform/db/schema" {
  interface DB {
    report: ReportTable;
    report_event: ReportEventTable;
    intake_alert: IntakeAlertTable;
    intake_regional_contact: IntakeRegionalContactTable;
    intake_livc_closing_day: IntakeLivcClosingDayTable;
    report_purge_log: ReportPurgeLogTable;
    report_supplement: ReportSupplementTable;
  }
}
