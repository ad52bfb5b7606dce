import type { SchakelMigration } from "../../platform/db/migrate";
import { newId, nowIso } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import type { Objection } from "./objections";

/**
 * The awareness round. Survey responses are stored without personal data: no IP, no time finer
 * than the day, and an anonymous response has no organisation and no link to the token it came
 * through (docs/decisions: survey anonymity).
 */
export const awarenessMigrations: SchakelMigration[] = [
  {
    name: "2026120801_awareness_init",
    async up(db) {
      await db.schema
        .createTable("awareness_campaign")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("year", "integer", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      // sectors and municipalities are JSON arrays of keys / NIS codes (portable across dialects).
      await db.schema
        .createTable("awareness_session")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("campaign_id", "text", (c) => c.notNull().references("awareness_campaign.id"))
        .addColumn("held_on", "text", (c) => c.notNull())
        .addColumn("sectors", "text", (c) => c.notNull())
        .addColumn("province", "text")
        .addColumn("municipalities", "text", (c) => c.notNull())
        .addColumn("participants", "integer", (c) => c.notNull())
        .addColumn("materials", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("awareness_session_campaign").on("awareness_session").columns(["campaign_id", "held_on"]).execute();
      await db.schema
        .createTable("awareness_question")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("campaign_id", "text", (c) => c.notNull().references("awareness_campaign.id"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("text_nl", "text", (c) => c.notNull())
        .addColumn("text_fr", "text", (c) => c.notNull())
        .addColumn("required", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("awareness_option")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("question_id", "text", (c) => c.notNull().references("awareness_question.id"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("text_nl", "text", (c) => c.notNull())
        .addColumn("text_fr", "text", (c) => c.notNull())
        .addColumn("objection", "text")
        .execute();
      // Only the SHA-256 of the token is stored. An anonymous link has no organisation_id, and
      // its use is a flag without a date, so the moment of use cannot be matched to a response.
      await db.schema
        .createTable("awareness_link")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("campaign_id", "text", (c) => c.notNull().references("awareness_campaign.id"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("organisation_id", "text")
        .addColumn("sector", "text", (c) => c.notNull())
        .addColumn("province", "text", (c) => c.notNull())
        .addColumn("created_on", "text", (c) => c.notNull())
        .addColumn("used", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex("awareness_link_campaign").on("awareness_link").column("campaign_id").execute();
      // No link id, no IP, no time of day. organisation_id only for per-organisation links.
      await db.schema
        .createTable("awareness_response")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("campaign_id", "text", (c) => c.notNull().references("awareness_campaign.id"))
        .addColumn("anonymous", "integer", (c) => c.notNull())
        .addColumn("organisation_id", "text")
        .addColumn("sector", "text", (c) => c.notNull())
        .addColumn("province", "text", (c) => c.notNull())
        .addColumn("submitted_on", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("awareness_response_campaign").on("awareness_response").columns(["campaign_id", "sector"]).execute();
      await db.schema
        .createTable("awareness_answer")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("response_id", "text", (c) => c.notNull().references("awareness_response.id"))
        .addColumn("question_id", "text", (c) => c.notNull().references("awareness_question.id"))
        .addColumn("option_id", "text")
        .addColumn("scale_value", "integer")
        .addColumn("text_value", "text")
        .execute();
      await db.schema.createIndex("awareness_answer_response").on("awareness_answer").column("response_id").execute();
      // Which municipality received its advice, and when (several records: re-sent after an update).
      await db.schema
        .createTable("awareness_advice_sent")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("campaign_id", "text", (c) => c.notNull().references("awareness_campaign.id"))
        .addColumn("nis", "text", (c) => c.notNull())
        .addColumn("sent_on", "text", (c) => c.notNull())
        .addColumn("recorded_by", "text")
        .addColumn("recorded_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("awareness_advice_sent_nis").on("awareness_advice_sent").columns(["campaign_id", "nis"]).execute();
      // Background archive builds: progress is in the database so any app instance can show it.
      await db.schema
        .createTable("awareness_job")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("campaign_id", "text", (c) => c.notNull().references("awareness_campaign.id"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("done", "integer", (c) => c.notNull())
        .addColumn("total", "integer", (c) => c.notNull())
        .addColumn("file_path", "text")
        .addColumn("error", "text")
        .addColumn("created_by", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .execute();
    },
  },
  {
    // The revision of the awareness inputs of the advice (questions, options, responses, answers,
    // sessions): a token replaced in the same transaction as every such write (store.ts `changing`).
    // The advice cache keys on it with the register's and the partners' revisions (decision 0037).
    name: "2026121060_awareness_revision",
    async up(db) {
      await db.schema
        .createTable("awareness_revision")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token", "text", (c) => c.notNull())
        .addColumn("changed_at", "text", (c) => c.notNull())
        .execute();
      await db.insertInto("awareness_revision").values({ id: "current", token: newId(), changed_at: nowIso() }).execute();
    },
  },
  {
    // Decision 0069 (ops audit s8, finding 14): the finished archive lives in the database (aggregates
    // only, bounded), so every instance can serve it; a job's last progress time tells a job whose
    // process stopped (a restart) from one that runs.
    name: "2026122111_awareness_job_archive",
    async up(db) {
      await db.schema.alterTable("awareness_job").addColumn("updated_at", "text").execute();
      await db.schema
        .createTable("awareness_job_archive")
        .addColumn("job_id", "text", (c) => c.primaryKey().references("awareness_job.id"))
        .addColumn("campaign_id", "text", (c) => c.notNull())
        .addColumn("zip", "text", (c) => c.notNull())
        .addColumn("bytes", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("awareness_job_archive_campaign").on("awareness_job_archive").columns(["campaign_id", "created_at"]).execute();
    },
  },
];

export type QuestionKind = "single" | "multiple" | "scale" | "text";
export const QUESTION_KINDS = ["single", "multiple", "scale", "text"] as const satisfies readonly QuestionKind[];
export type LinkKind = "organisation" | "anonymous";
export type JobStatus = "running" | "done" | "failed";

export interface AwarenessCampaignTable { id: string; name: string; year: number; description: string; created_at: string }
export interface AwarenessSessionTable {
  id: string;
  campaign_id: string;
  held_on: string;
  sectors: string;
  province: string | null;
  municipalities: string;
  participants: number;
  materials: string;
  created_at: string;
}
export interface AwarenessQuestionTable { id: string; campaign_id: string; position: number; kind: QuestionKind; text_nl: string; text_fr: string; required: number }
export interface AwarenessOptionTable { id: string; question_id: string; position: number; text_nl: string; text_fr: string; objection: Objection | null }
export interface AwarenessLinkTable {
  id: string;
  campaign_id: string;
  token_hash: string;
  kind: LinkKind;
  organisation_id: string | null;
  sector: Sector;
  province: string;
  created_on: string;
  used: number;
}
export interface AwarenessResponseTable {
  id: string;
  campaign_id: string;
  anonymous: number;
  organisation_id: string | null;
  sector: Sector;
  province: string;
  submitted_on: string;
}
export interface AwarenessAnswerTable {
  id: string;
  response_id: string;
  question_id: string;
  option_id: string | null;
  scale_value: number | null;
  text_value: string | null;
}
export interface AwarenessRevisionTable { id: string; token: string; changed_at: string }
export interface AwarenessAdviceSentTable { id: string; campaign_id: string; nis: string; sent_on: string; recorded_by: string | null; recorded_at: string }
export interface AwarenessJobTable {
  id: string;
  campaign_id: string;
  status: JobStatus;
  done: number;
  total: number;
  file_path: string | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
  /** The last progress write (null on rows from before 2026122111). */
  updated_at: string | null;
}

/** A finished archive: the ZIP as base64 (binary as text, the portable convention). */
export interface AwarenessJobArchiveTable { job_id: string; campaign_id: string; zip: string; bytes: number; created_at: string }

declare module "../../platform/db/schema" {
  interface DB {
    awareness_campaign: AwarenessCampaignTable;
    awareness_session: AwarenessSessionTable;
    awareness_question: AwarenessQuestionTable;
    awareness_option: AwarenessOptionTable;
    awareness_link: AwarenessLinkTable;
    awareness_response: AwarenessResponseTable;
    awareness_answer: AwarenessAnswerTable;
    awareness_advice_sent: AwarenessAdviceSentTable;
    awareness_job: AwarenessJobTable;
    awareness_job_archive: AwarenessJobArchiveTable;
    awareness_revision: AwarenessRevisionTable;
  }
}
