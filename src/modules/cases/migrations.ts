import { sql } from "kysely";
import type { SchakelMigration } from "../../platform/db/migrate";
import type { CaseStatus, ClosureReason } from "./workflow";

/**
 * Cases. The table case_file was first created (minimal) by intake, which opens a case when
 * screening takes a report up; this module owns it from here and extends it. Personal fields
 * (columns ending in _enc) hold ciphertext written only by src/platform/personal-data.
 * The table is also created here if intake's migration is not present, so either order works.
 */
export const casesMigrations: SchakelMigration[] = [
  {
    name: "2026120170_cases_init",
    async up(db) {
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
      // Added columns are nullable: SQLite cannot add NOT NULL columns without a default.
      const add: [string, string][] = [
        ["label", "text"],
        ["label_search", "text"],
        ["identity_enc", "text"],
        ["screening_decision", "text"],
        ["opened_on", "text"],
        ["closed_on", "text"],
        ["closure_reason", "text"],
        ["closure_note_enc", "text"],
        ["next_review_on", "text"],
        ["legal_hold_reason_enc", "text"],
        ["legal_hold_at", "text"],
        ["legal_hold_by", "text"],
        ["purged_at", "text"],
        ["updated_at", "text"],
      ];
      for (const [name] of add) await db.schema.alterTable("case_file").addColumn(name, "text").execute();
      await db.schema.createIndex("case_file_label").on("case_file").column("label").unique().execute();
      await db.schema.createIndex("case_file_livc_status").on("case_file").columns(["livc_id", "status"]).execute();
      await db.schema.createIndex("case_file_subject").on("case_file").column("subject_index").execute();
      // The next free number per LIVC and year for labels like LIVC-GENT-2026-014.
      await db.schema
        .createTable("case_label_counter")
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("year", "integer", (c) => c.notNull())
        .addColumn("last", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("case_label_counter_pk", ["livc_id", "year"])
        .execute();
      // The timeline: append-only, never updated (only its note is blanked by the purge).
      await db.schema
        .createTable("case_event")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor_id", "text")
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("from_status", "text")
        .addColumn("to_status", "text")
        .addColumn("reason", "text")
        .addColumn("consultation_id", "text")
        .addColumn("note_enc", "text")
        .execute();
      await db.schema.createIndex("case_event_case").on("case_event").columns(["case_id", "at"]).execute();
      // Need to know, as data: one row per partner member and case, written when the person
      // acknowledged confidentiality for a consultation that discusses the case and their
      // organisation was invited for it and accepted. Revoked rows stay (revoked_at) as history.
      await db.schema
        .createTable("case_access_grant")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("consultation_id", "text", (c) => c.notNull())
        .addColumn("granted_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .execute();
      await db.schema.createIndex("case_access_grant_user").on("case_access_grant").columns(["user_id", "case_id"]).execute();
      // The follow-up plan: actions with an owning organisation, a due date and a status.
      await db.schema
        .createTable("case_action")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("consultation_id", "text")
        .addColumn("description_enc", "text")
        .addColumn("owner_organisation_id", "text", (c) => c.notNull())
        .addColumn("due_on", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("case_action_case").on("case_action").columns(["case_id", "due_on"]).execute();
      await db.schema.createIndex("case_action_owner").on("case_action").columns(["owner_organisation_id", "status", "due_on"]).execute();
      await db.schema
        .createTable("case_review")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("months", "integer", (c) => c.notNull())
        .addColumn("due_on", "text", (c) => c.notNull())
        .addColumn("done_at", "text")
        .addColumn("done_by", "text")
        .addColumn("outcome", "text")
        .execute();
      await db.schema.createIndex("case_review_due").on("case_review").columns(["done_at", "due_on"]).execute();
      // Proof of each purge: what was removed (kinds and counts), never its content.
      await db.schema
        .createTable("case_purge_log")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("case_id", "text", (c) => c.notNull())
        .addColumn("label", "text", (c) => c.notNull())
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("purged_at", "text", (c) => c.notNull())
        .addColumn("retention_until", "text", (c) => c.notNull())
        .addColumn("removed", "text", (c) => c.notNull())
        .execute();
      // The feedback form to the police / Local Task Force, and each attendee's vote.
      await db.schema
        .createTable("feedback_form")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("case_id", "text", (c) => c.notNull().references("case_file.id"))
        .addColumn("consultation_id", "text", (c) => c.notNull())
        .addColumn("livc_id", "text", (c) => c.notNull())
        .addColumn("drafted_by", "text", (c) => c.notNull())
        .addColumn("content_enc", "text")
        .addColumn("revision", "integer", (c) => c.notNull())
        .addColumn("attested_no_secrecy_at", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("sent_at", "text")
        .addColumn("sent_by", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("feedback_form_case").on("feedback_form").columns(["case_id", "created_at"]).execute();
      await db.schema
        .createTable("feedback_vote")
        .addColumn("form_id", "text", (c) => c.notNull().references("feedback_form.id"))
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("revision", "integer", (c) => c.notNull())
        .addColumn("vote", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("feedback_vote_pk", ["form_id", "user_id"])
        .execute();
    },
  },
  // Issue 9: a case page reads its reviews by case (reviewsOf, completeDueReview); only (done_at, due_on) was indexed.
  {
    name: "2026120902_cases_review_case_index",
    async up(db) {
      await db.schema.createIndex("case_review_case").on("case_review").columns(["case_id", "due_on"]).execute();
    },
  },
  // Issue 9: the case list shows one page of a cell's cases, newest first (top-N from an index, no
  // sort of every case), and the lead's work lists (overdue actions, due reviews) are read per cell
  // directly: actions and reviews carry their case's cell (a case never changes cell), so the lists
  // no longer probe every case of a large cell (3-5 ms -> well under 1 ms at 100,000 cases).
  {
    name: "2026121001_cases_cell_on_actions_and_reviews",
    async up(db) {
      await db.schema.createIndex("case_file_livc_opened").on("case_file").columns(["livc_id", "opened_at"]).execute();
      await db.schema.alterTable("case_action").addColumn("livc_id", "text").execute();
      await db.schema.alterTable("case_review").addColumn("livc_id", "text").execute();
      await sql`update case_action set livc_id = (select livc_id from case_file where case_file.id = case_action.case_id)`.execute(db);
      await sql`update case_review set livc_id = (select livc_id from case_file where case_file.id = case_review.case_id)`.execute(db);
      await db.schema.createIndex("case_action_livc_open").on("case_action").columns(["livc_id", "status", "due_on"]).execute();
      await db.schema.createIndex("case_review_livc_due").on("case_review").columns(["livc_id", "done_at", "due_on"]).execute();
    },
  },
  // Issue 9: the list's order is (opened_at, label) newest first; with the label in the index a page
  // is read in index order (was a sort of each run of equal times: 0.20 -> 0.03 ms a page).
  {
    name: "2026121002_cases_list_order_index",
    async up(db) {
      await db.schema.createIndex("case_file_livc_opened_label").on("case_file").columns(["livc_id", "opened_at", "label"]).execute();
      await db.schema.dropIndex("case_file_livc_opened").execute();
    },
  },
  // Issue 9: the page of a cell's list read from the index alone (every listed column in it): each of
  // the 50 rows was a lookup in the table, whose rows carry the encrypted identity (0.14 -> 0.075 ms a page at scale 1).
  {
    name: "2026121030_cases_list_covering_index",
    async up(db) {
      await db.schema
        .createIndex("case_file_livc_list")
        .on("case_file")
        .columns(["livc_id", "opened_at", "label", "id", "status", "opened_on", "closed_on", "next_review_on"])
        .execute();
      await db.schema.dropIndex("case_file_livc_opened_label").execute();
    },
  },
  // Decision 0075: on SQLite, a token replaced by triggers in the same transaction as every change to
  // the tables the case list and its work lists read (case_file, case_action, case_review), by any
  // connection or process (the server, the CLI, the daily jobs, the scale seeder). The list's reads are
  // kept per token (list-memo.ts). PostgreSQL: the next migration (decision 0078).
  {
    name: "2026123020_cases_list_revision",
    async up(db, dialect) {
      if (dialect !== "sqlite") return;
      await sql`create table case_list_revision (id integer primary key check (id = 1), token text not null)`.execute(db);
      await sql`insert into case_list_revision (id, token) values (1, lower(hex(randomblob(8))))`.execute(db);
      for (const table of LIST_TABLES) {
        for (const change of ["insert", "update", "delete"]) {
          await sql
            .raw(`create trigger ${table}_${change}_list_revision after ${change} on ${table} begin update case_list_revision set token = lower(hex(randomblob(8))) where id = 1; end`)
            .execute(db);
        }
      }
    },
  },
  // Decision 0078: the same token on PostgreSQL, replaced at COMMIT by deferred constraint triggers (once
  // per transaction), so the token row's lock is the last one a changing transaction takes and is held
  // only while it commits: it cannot close a cycle of waits (no deadlock) and queues no longer than the
  // audit lock every audited change already takes.
  {
    name: "2026123030_cases_list_revision_postgres",
    async up(db, dialect) {
      if (dialect !== "postgres") return;
      await sql`create table case_list_revision (id integer primary key check (id = 1), token text not null)`.execute(db);
      await sql`insert into case_list_revision (id, token) values (1, gen_random_uuid()::text)`.execute(db);
      await sql
        .raw(
          `create function case_list_revision_touch() returns trigger language plpgsql as $$
begin
  if current_setting('schakel.case_list_touched', true) is distinct from 'yes' then
    perform set_config('schakel.case_list_touched', 'yes', true);
    update case_list_revision set token = gen_random_uuid()::text where id = 1;
  end if;
  return null;
end $$`,
        )
        .execute(db);
      for (const table of LIST_TABLES) {
        await sql
          .raw(
            `create constraint trigger ${table}_list_revision after insert or update or delete on ${table} deferrable initially deferred for each row execute function case_list_revision_touch()`,
          )
          .execute(db);
      }
    },
  },
  // Decision 0086: the work lists of the case list also show the owning organisations' names, which are kept per
  // token too: a change to an organisation replaces the token as well, on both dialects.
  {
    name: "2026123040_cases_list_revision_organisation",
    async up(db, dialect) {
      if (dialect === "sqlite") {
        for (const change of ["insert", "update", "delete"]) {
          await sql
            .raw(`create trigger organisation_${change}_list_revision after ${change} on organisation begin update case_list_revision set token = lower(hex(randomblob(8))) where id = 1; end`)
            .execute(db);
        }
        return;
      }
      await sql
        .raw(`create constraint trigger organisation_list_revision after insert or update or delete on organisation deferrable initially deferred for each row execute function case_list_revision_touch()`)
        .execute(db);
    },
  },
  // Decision 0087: the case page's parts are kept per the same token: every change to the other tables they read
  // replaces it too, on both dialects. app_user only for its status (a login changes other columns).
  {
    name: "2026123050_cases_page_revision",
    async up(db, dialect) {
      for (const table of PAGE_TABLES) {
        const update = table === "app_user" ? "update of status" : "update";
        if (dialect === "sqlite") {
          for (const change of ["insert", update, "delete"]) {
            await sql
              .raw(`create trigger ${table}_${change.split(" ")[0]}_list_revision after ${change} on ${table} begin update case_list_revision set token = lower(hex(randomblob(8))) where id = 1; end`)
              .execute(db);
          }
          continue;
        }
        await sql
          .raw(`create constraint trigger ${table}_list_revision after insert or ${update} or delete on ${table} deferrable initially deferred for each row execute function case_list_revision_touch()`)
          .execute(db);
      }
    },
  },
];

/** The tables the case list and its work lists read (decision 0075): each change to them replaces the list token. */
export const LIST_TABLES = ["case_file", "case_action", "case_review"] as const;
/** Read for the work lists' owner names, kept per the same token since decision 0086: its changes replace the token too. */
export const LIST_NAME_TABLE = "organisation";
/**
 * The other tables a case page's kept parts read (decision 0087): the timeline, the minutes and the meetings that
 * discussed the case, the feedback forms, and the action owner choices (today's core role holders of the LIVC and
 * the services whose invitation for the case is accepted). Their changes replace the list token too.
 */
export const PAGE_TABLES = ["case_event", "consultation", "consultation_case", "consultation_minutes", "consultation_case_service", "feedback_form", "partner_invitation", "membership", "app_user"] as const;

export interface CaseFileTable {
  id: string;
  livc_id: string;
  source_report_id: string | null;
  subject_index: string | null;
  minor: number;
  status: CaseStatus;
  opened_at: string;
  opened_by: string | null;
  retention_until: string | null;
  label: string | null;
  label_search: string | null;
  identity_enc: string | null;
  screening_decision: string | null;
  opened_on: string | null;
  closed_on: string | null;
  closure_reason: ClosureReason | null;
  closure_note_enc: string | null;
  next_review_on: string | null;
  legal_hold_reason_enc: string | null;
  legal_hold_at: string | null;
  legal_hold_by: string | null;
  purged_at: string | null;
  updated_at: string | null;
}
export interface CaseLabelCounterTable { livc_id: string; year: number; last: number }
export type CaseEventKind =
  | "opened"
  | "transition"
  | "scheduled"
  | "minuted"
  | "action_added"
  | "action_updated"
  | "review_date_set"
  | "feedback_drafted"
  | "feedback_voted"
  | "feedback_sent"
  | "legal_hold_set"
  | "legal_hold_lifted"
  | "identity_corrected"
  | "agenda_removed"
  | "consultation_cancelled"
  | "report_joined"
  | "report_supplemented"
  | "purged";
export interface CaseEventTable {
  id: string;
  case_id: string;
  at: string;
  actor_id: string | null;
  kind: CaseEventKind;
  from_status: CaseStatus | null;
  to_status: CaseStatus | null;
  reason: string | null;
  consultation_id: string | null;
  note_enc: string | null;
}
export interface CaseAccessGrantTable { id: string; case_id: string; user_id: string; consultation_id: string; granted_at: string; revoked_at: string | null }
export const ACTION_STATUSES = ["open", "done", "cancelled"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export interface CaseActionTable {
  id: string;
  case_id: string;
  /** The case's cell (copied at insert; a case never changes cell): the work lists read by cell. */
  livc_id: string | null;
  consultation_id: string | null;
  description_enc: string | null;
  owner_organisation_id: string;
  due_on: string;
  status: ActionStatus;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}
export interface CaseReviewTable { id: string; case_id: string; livc_id: string | null; months: number; due_on: string; done_at: string | null; done_by: string | null; outcome: string | null }
export interface CasePurgeLogTable { id: string; case_id: string; label: string; livc_id: string; purged_at: string; retention_until: string; removed: string }
export type FeedbackStatus = "draft" | "sent";
export interface FeedbackFormTable {
  id: string;
  case_id: string;
  consultation_id: string;
  livc_id: string;
  drafted_by: string;
  content_enc: string | null;
  revision: number;
  attested_no_secrecy_at: string | null;
  status: FeedbackStatus;
  sent_at: string | null;
  sent_by: string | null;
  created_at: string;
  updated_at: string;
}
export type FeedbackVoteValue = "approve" | "object";
export interface FeedbackVoteTable { form_id: string; user_id: string; revision: number; vote: FeedbackVoteValue; at: string }

declare module "../../platform/db/schema" {
  interface DB {
    case_file: CaseFileTable;
    case_label_counter: CaseLabelCounterTable;
    case_event: CaseEventTable;
    case_access_grant: CaseAccessGrantTable;
    case_action: CaseActionTable;
    case_review: CaseReviewTable;
    case_purge_log: CasePurgeLogTable;
    feedback_form: FeedbackFormTable;
    feedback_vote: FeedbackVoteTable;
  }
}
