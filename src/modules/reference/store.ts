import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { searchKey } from "./importer";

export interface MunicipalityRow {
  nis: string;
  name: string;
  province: string;
  arrondissement: string;
  police_zone: string | null;
  police_zone_number: string | null;
  valid_from: string;
  valid_to: string | null;
}

export async function listMunicipalitiesOn(db: Kysely<DB>, date: string, search?: string): Promise<MunicipalityRow[]> {
  let q = db
    .selectFrom("municipality as m")
    .innerJoin("province as p", "p.nis", "m.province_nis")
    .innerJoin("arrondissement as a", "a.nis", "m.arrondissement_nis")
    .leftJoin("police_zone_municipality as zm", (j) =>
      j
        .onRef("zm.nis", "=", "m.nis")
        .on("zm.valid_from", "<=", date)
        .on((eb) => eb.or([eb("zm.valid_to", "is", null), eb("zm.valid_to", ">=", date)])),
    )
    .leftJoin("police_zone as z", "z.id", "zm.zone_id")
    .select([
      "m.nis",
      "m.name",
      "p.name as province",
      "a.name as arrondissement",
      "z.name as police_zone",
      "z.number as police_zone_number",
      "m.valid_from",
      "m.valid_to",
    ])
    .where("m.valid_from", "<=", date)
    .where((eb) => eb.or([eb("m.valid_to", "is", null), eb("m.valid_to", ">=", date)]));
  if (search) {
    const term = search.trim();
    q = /^\d+$/.test(term) ? q.where("m.nis", "like", `${term}%`) : q.where("m.name_search", "like", `%${searchKey(term)}%`);
  }
  return q.orderBy("m.name").orderBy("m.nis").execute();
}

export async function municipalityVersions(db: Kysely<DB>, nis: string) {
  return db
    .selectFrom("municipality as m")
    .innerJoin("province as p", "p.nis", "m.province_nis")
    .innerJoin("arrondissement as a", "a.nis", "m.arrondissement_nis")
    .select(["m.nis", "m.name", "m.valid_from", "m.valid_to", "m.successor_nis", "p.name as province", "a.name as arrondissement"])
    .where("m.nis", "=", nis)
    .orderBy("m.valid_from")
    .execute();
}

export async function predecessorsOf(db: Kysely<DB>, nis: string) {
  return db
    .selectFrom("municipality")
    .select(["nis", "name", "valid_from", "valid_to"])
    .where("successor_nis", "=", nis)
    .orderBy("name")
    .execute();
}

export async function versionOn(db: Kysely<DB>, nis: string, date: string) {
  return db
    .selectFrom("municipality")
    .select(["nis", "name", "valid_from", "valid_to", "successor_nis"])
    .where("nis", "=", nis)
    .where("valid_from", "<=", date)
    .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">=", date)]))
    .executeTakeFirst();
}

export async function zonesOf(db: Kysely<DB>, nis: string) {
  return db
    .selectFrom("police_zone_municipality as zm")
    .innerJoin("police_zone as z", "z.id", "zm.zone_id")
    .select(["z.id", "z.name", "z.number", "zm.valid_from", "zm.valid_to"])
    .where("zm.nis", "=", nis)
    .orderBy("zm.valid_from")
    .execute();
}
