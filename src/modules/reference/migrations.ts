import type { SchakelMigration } from "../../platform/db/migrate";

export const referenceMigrations: SchakelMigration[] = [
  {
    name: "2026112901_reference_init",
    async up(db) {
      await db.schema
        .createTable("province")
        .addColumn("nis", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("arrondissement")
        .addColumn("nis", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("province_nis", "text", (c) => c.notNull().references("province.nis"))
        .execute();
      // One row per municipality version; valid_to is the last day it exists (inclusive), null = today.
      await db.schema
        .createTable("municipality")
        .addColumn("nis", "text", (c) => c.notNull())
        .addColumn("valid_from", "text", (c) => c.notNull())
        .addColumn("valid_to", "text")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("arrondissement_nis", "text", (c) => c.notNull().references("arrondissement.nis"))
        .addColumn("province_nis", "text", (c) => c.notNull().references("province.nis"))
        .addColumn("successor_nis", "text")
        .addColumn("name_search", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("municipality_pk", ["nis", "valid_from"])
        .execute();
      await db.schema.createIndex("municipality_period").on("municipality").columns(["valid_from", "valid_to"]).execute();
      // Zones keyed by their own id (the PINC code, or "pz2020-NNNN"); the official number may be unknown.
      await db.schema
        .createTable("police_zone")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("number", "text")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("valid_from", "text", (c) => c.notNull())
        .addColumn("valid_to", "text")
        .execute();
      await db.schema
        .createTable("police_zone_municipality")
        .addColumn("zone_id", "text", (c) => c.notNull().references("police_zone.id"))
        .addColumn("nis", "text", (c) => c.notNull())
        .addColumn("valid_from", "text", (c) => c.notNull())
        .addColumn("valid_to", "text")
        .addPrimaryKeyConstraint("police_zone_municipality_pk", ["zone_id", "nis", "valid_from"])
        .execute();
      await db.schema
        .createTable("reference_import")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("content_hash", "text", (c) => c.notNull())
        .addColumn("imported_at", "text", (c) => c.notNull())
        .execute();
    },
  },
];

export interface ProvinceTable { nis: string; name: string }
export interface ArrondissementTable { nis: string; name: string; province_nis: string }
export interface MunicipalityTable {
  nis: string;
  valid_from: string;
  valid_to: string | null;
  name: string;
  arrondissement_nis: string;
  province_nis: string;
  successor_nis: string | null;
  name_search: string;
}
export interface PoliceZoneTable { id: string; number: string | null; name: string; valid_from: string; valid_to: string | null }
export interface PoliceZoneMunicipalityTable { zone_id: string; nis: string; valid_from: string; valid_to: string | null }
export interface ReferenceImportTable { id: string; content_hash: string; imported_at: string }

declare module "../../platform/db/schema" {
  interface DB {
    province: ProvinceTable;
    arrondissement: ArrondissementTable;
    municipality: MunicipalityTable;
    police_zone: PoliceZoneTable;
    police_zone_municipality: PoliceZoneMunicipalityTable;
    reference_import: ReferenceImportTable;
  }
}
