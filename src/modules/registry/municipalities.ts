import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { municipalitiesOn, municipalityHistory, SET_2019_TO, SET_2025_FROM } from "../reference/service";
import type { MunicipalityVersion } from "./timeline";

const referenceCache = new WeakMap<Kysely<DB>, Promise<MunicipalityVersion[]>>();

/** Every municipality version 2019-2025 with its parts; reference data is fixed while the process runs. */
export function municipalityVersions(db: Kysely<DB>): Promise<MunicipalityVersion[]> {
  let cached = referenceCache.get(db);
  if (!cached) {
    cached = loadMunicipalityVersions(db);
    cached.catch(() => referenceCache.delete(db));
    referenceCache.set(db, cached);
  }
  return cached;
}

async function loadMunicipalityVersions(db: Kysely<DB>): Promise<MunicipalityVersion[]> {
  const byKey = new Map<string, MunicipalityVersion>();
  // Every version exists on one of these two days: before the mergers, or from them on.
  for (const day of [SET_2019_TO, SET_2025_FROM]) {
    for (const m of await municipalitiesOn(db, day)) {
      const key = `${m.nis}@${m.valid_from}`;
      const known = byKey.get(key);
      if (known) {
        known.policeZoneFrom2025 = m.police_zone;
        continue;
      }
      byKey.set(key, {
        nis: m.nis,
        name: m.name,
        province: m.province,
        policeZone: m.police_zone,
        policeZoneFrom2025: day === SET_2025_FROM ? m.police_zone : null,
        validFrom: m.valid_from,
        validTo: m.valid_to,
        parts: [],
      });
    }
  }
  for (const v of byKey.values()) {
    if (v.validFrom !== SET_2025_FROM) continue;
    const history = await municipalityHistory(db, v.nis);
    const sameCode = history?.versions.some((x) => x.valid_to === SET_2019_TO) ? [v.nis] : [];
    v.parts = [...sameCode, ...(history?.predecessors ?? []).filter((p) => p.valid_to === SET_2019_TO).map((p) => p.nis)].sort();
  }
  return [...byKey.values()];
}

