import type { SchakelMigration } from "../../platform/db/migrate";

/**
 * Handing a report over to another LIVC (decision 0062): one row per handover, content-free (who,
 * when, from where, to where, a reason code). The report row itself moves (livc_id, deadline).
 */
export const handoverMigrations: SchakelMigration[] = [
  {
    name: "2026122070_intake_report_handover",
    async up(db) {
      await db.schema
        .createTable("report_handover")
        .ifNotExists()
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("report_id", "text", (c) => c.notNull().references("report.id"))
        .addColumn("from_livc_id", "text")
        .addColumn("from_regional_queue", "text")
        .addColumn("to_livc_id", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("actor_id", "text")
        .addColumn("at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("report_handover_report").ifNotExists().on("report_handover").columns(["report_id", "at"]).execute();
    },
  },
];

export interface ReportHandoverTable {
  id: string;
  report_id: string;
  from_livc_id: string | null;
  from_regional_queue: string | null;
  to_livc_id: string;
  reason: string;
  actor_id: string | null;
  at: string;
}

declare module "../../platform/db/schema" {
  interface DB {
    report_handover: ReportHandoverTable;
  }
}
