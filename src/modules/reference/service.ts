import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { SET_2025_FROM } from "./importer";
import * as store from "./store";

export { DEFAULT_REFERENCE_DIR, importReferenceData, SET_2019_FROM, SET_2019_TO, SET_2025_FROM } from "./importer";
export type { MunicipalityRow } from "./store";

export type MunicipalitySet = "2019" | "2025";

/** The municipality set in force on a date (the register's calendar starts 2019-01-01). */
export const municipalitySetOn = (date: string): MunicipalitySet => (date >= SET_2025_FROM ? "2025" : "2019");

/**
 * The municipalities on a date. Reference data only changes on import, so the list per date is kept
 * in memory (per database) and dropped when the import's content hash changes (checked with one
 * primary-key read): the join behind it ran at ~300 req/s and sits on the report form (issue 9).
 */
export async function municipalitiesOn(db: Kysely<DB>, date: string, search?: string): Promise<store.MunicipalityRow[]> {
  if (search) return store.listMunicipalitiesOn(db, date, search);
  const hash = (await db.selectFrom("reference_import").select("content_hash").where("id", "=", "current").executeTakeFirst())?.content_hash ?? "";
  let cache = listCache.get(db);
  if (!cache || cache.hash !== hash) {
    cache = { hash, byDate: new Map() };
    listCache.set(db, cache);
  }
  let rows = cache.byDate.get(date);
  if (!rows) {
    rows = await store.listMunicipalitiesOn(db, date);
    if (cache.byDate.size >= 64) cache.byDate.delete(cache.byDate.keys().next().value!);
    cache.byDate.set(date, rows);
  }
  return rows.slice();
}

const listCache = new WeakMap<Kysely<DB>, { hash: string; byDate: Map<string, store.MunicipalityRow[]> }>();

export const municipalityOn = (db: Kysely<DB>, nis: string, date: string) => store.versionOn(db, nis, date);

/** Everything known about one NIS code across the 2025 mergers, for the detail page. */
export async function municipalityHistory(db: Kysely<DB>, nis: string) {
  const versions = await store.municipalityVersions(db, nis);
  if (versions.length === 0) return null;
  const successors = await Promise.all(
    [...new Set(versions.map((v) => v.successor_nis).filter((s): s is string => s !== null && s !== nis))].map(async (s) => ({
      nis: s,
      name: (await store.municipalityVersions(db, s)).at(-1)?.name ?? s,
    })),
  );
  return {
    nis,
    versions,
    predecessors: (await store.predecessorsOf(db, nis)).filter((p) => p.nis !== nis),
    mergedInto: successors,
    zones: await store.zonesOf(db, nis),
  };
}
