import type { SchakelMigration } from "../../platform/db/migrate";

/**
 * The LIVC register. Memberships are stored exactly as given (an import row or a form);
 * mergers, the 2019 calendar start and the municipality versions are applied when the register
 * is read (see timeline.ts), so a re-import of the same file compares like with like.
 */
export const registryMigrations: SchakelMigration[] = [
  {
    name: "2026113001_registry_init",
    async up(db) {
      await db.schema
        .createTable("livc")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("code", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("founded_on", "text")
        .addColumn("chair_user_id", "text")
        .addColumn("chair_name", "text")
        .addColumn("coordinator_user_id", "text")
        .addColumn("coordinator_name", "text")
        .addColumn("info_officer_user_id", "text")
        .addColumn("info_officer_name", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      // left_on is exclusive: the first day the municipality is no longer a member; null = still a member.
      await db.schema
        .createTable("livc_membership")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull().references("livc.id"))
        .addColumn("nis", "text", (c) => c.notNull())
        .addColumn("joined_on", "text", (c) => c.notNull())
        .addColumn("left_on", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("livc_membership_nis").on("livc_membership").columns(["nis", "joined_on"]).execute();
      await db.schema.createIndex("livc_membership_livc").on("livc_membership").columns(["livc_id", "joined_on"]).execute();
      // A status holds from from_on until the next status of the same LIVC.
      await db.schema
        .createTable("livc_status")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull().references("livc.id"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("from_on", "text", (c) => c.notNull())
        .addColumn("note", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("livc_status_livc").on("livc_status").columns(["livc_id", "from_on"]).unique().execute();
      await db.schema
        .createTable("livc_framework")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("livc_id", "text", (c) => c.notNull().references("livc.id"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("participants", "text", (c) => c.notNull())
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("working_arrangements", "text", (c) => c.notNull())
        .addColumn("adopted_on", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("livc_framework_version").on("livc_framework").columns(["livc_id", "version"]).unique().execute();
      await db.schema
        .createTable("municipality_obstacle")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("nis", "text", (c) => c.notNull())
        .addColumn("recorded_on", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("note", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("municipality_obstacle_key")
        .on("municipality_obstacle")
        .columns(["nis", "recorded_on", "reason", "note"])
        .unique()
        .execute();
      // One decision per merged municipality whose parts were not all in the same LIVC on 2024-12-31.
      await db.schema
        .createTable("merger_decision")
        .addColumn("nis", "text", (c) => c.primaryKey())
        .addColumn("decision", "text", (c) => c.notNull())
        .addColumn("livc_id", "text", (c) => c.references("livc.id"))
        .addColumn("joined_on", "text")
        .addColumn("note", "text", (c) => c.notNull())
        .addColumn("decided_by", "text")
        .addColumn("decided_at", "text", (c) => c.notNull())
        .execute();
      // Bumped in every write transaction; caches of computed coverage and maps key on it.
      await db.schema
        .createTable("registry_revision")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("revision", "integer", (c) => c.notNull())
        .addColumn("changed_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  {
    // Obstacles are corrected and ended by regional analysts (decision 0044): ended_on is the first day
    // the obstacle no longer applies (null = still applies); every correction or end keeps the previous
    // values in municipality_obstacle_change, so the history is never overwritten.
    name: "2026121100_registry_obstacle_history",
    async up(db) {
      await db.schema.alterTable("municipality_obstacle").addColumn("ended_on", "text").execute();
      await db.schema
        .createTable("municipality_obstacle_change")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("obstacle_id", "text", (c) => c.notNull().references("municipality_obstacle.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("nis", "text", (c) => c.notNull())
        .addColumn("recorded_on", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("note", "text", (c) => c.notNull())
        .addColumn("ended_on", "text")
        .addColumn("changed_by", "text")
        .addColumn("changed_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("municipality_obstacle_change_obstacle").on("municipality_obstacle_change").columns(["obstacle_id", "changed_at"]).execute();
      await db.schema.createIndex("municipality_obstacle_change_key").on("municipality_obstacle_change").columns(["nis", "recorded_on", "reason"]).execute();
    },
  },
];

export const LIFE_STATUSES = ["being_set_up", "operational", "dormant", "dissolved"] as const;
export type LifeStatus = (typeof LIFE_STATUSES)[number];

export const OBSTACLE_REASONS = ["few_cases", "capacity", "legal_uncertainty", "partner_reluctance", "other_platform", "other"] as const;
export type ObstacleReason = (typeof OBSTACLE_REASONS)[number];

export interface LivcTable {
  id: string;
  code: string;
  name: string;
  founded_on: string | null;
  chair_user_id: string | null;
  chair_name: string | null;
  coordinator_user_id: string | null;
  coordinator_name: string | null;
  info_officer_user_id: string | null;
  info_officer_name: string | null;
  created_at: string;
  updated_at: string;
}
export interface LivcMembershipTable { id: string; livc_id: string; nis: string; joined_on: string; left_on: string | null; created_at: string }
export interface LivcStatusTable { id: string; livc_id: string; status: LifeStatus; from_on: string; note: string | null; created_at: string }
export interface LivcFrameworkTable {
  id: string;
  livc_id: string;
  version: number;
  participants: string;
  purpose: string;
  working_arrangements: string;
  adopted_on: string;
  created_at: string;
}
export interface MunicipalityObstacleTable {
  id: string;
  nis: string;
  recorded_on: string;
  reason: ObstacleReason;
  note: string;
  /** First day the obstacle no longer applies; null = still applies. */
  ended_on: string | null;
  created_at: string;
}
/** The values an obstacle had before one correction or end (kind), by whom and when. */
export interface MunicipalityObstacleChangeTable {
  id: string;
  obstacle_id: string;
  kind: "correct" | "end";
  nis: string;
  recorded_on: string;
  reason: ObstacleReason;
  note: string;
  ended_on: string | null;
  changed_by: string | null;
  changed_at: string;
}
export interface MergerDecisionTable {
  nis: string;
  decision: "livc" | "none";
  livc_id: string | null;
  joined_on: string | null;
  note: string;
  decided_by: string | null;
  decided_at: string;
}
export interface RegistryRevisionTable { id: string; revision: number; changed_at: string }

declare module "../../platform/db/schema" {
  interface DB {
    livc: LivcTable;
    livc_membership: LivcMembershipTable;
    livc_status: LivcStatusTable;
    livc_framework: LivcFrameworkTable;
    municipality_obstacle: MunicipalityObstacleTable;
    municipality_obstacle_change: MunicipalityObstacleChangeTable;
    merger_decision: MergerDecisionTable;
    registry_revision: RegistryRevisionTable;
  }
}
