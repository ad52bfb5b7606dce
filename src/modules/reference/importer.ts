import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CsvError, type CsvRecord, parseCsv } from "../../platform/csv";
import type { Database } from "../../platform/db";
import { nowIso } from "../../platform/db/values";
import { ROOT } from "../../platform/paths";
import type {
  ArrondissementTable,
  MunicipalityTable,
  PoliceZoneMunicipalityTable,
  PoliceZoneTable,
  ProvinceTable,
} from "./migrations";
import { extend } from "../../platform/objects";

export const SET_2019_FROM = "2019-01-01";
export const SET_2019_TO = "2024-12-31";
export const SET_2025_FROM = "2025-01-01";

export const DEFAULT_REFERENCE_DIR = path.join(ROOT, "data/reference");

const FILES = {
  hierarchy: "provinces-arrondissements.csv",
  m2019: "municipalities-2019.csv",
  m2025: "municipalities-2025.csv",
  crosswalk: "nis-2019-to-2025.csv",
  zones2025: "police-zones.csv",
  zones2019: "sources/municipality2019-in-zone2020.csv",
} as const;

export interface ReferenceData {
  provinces: ProvinceTable[];
  arrondissements: ArrondissementTable[];
  municipalities: MunicipalityTable[];
  zones: PoliceZoneTable[];
  zoneMembers: PoliceZoneMunicipalityTable[];
  hash: string;
}

const NIS = /^\d{5}$/;

export function searchKey(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Reads and checks every file; throws CsvError naming file, line and reason. Pure: no database. */
export function readReferenceData(dir: string): ReferenceData {
  const hash = createHash("sha256");
  const load = (key: keyof typeof FILES, header: string[]): CsvRecord[] => {
    const file = path.join(dir, FILES[key]);
    const shown = path.relative(process.cwd(), file) || file;
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      throw new CsvError(shown, 0, "file not found or not readable");
    }
    hash.update(FILES[key]).update(text);
    return parseCsv(text, shown, header).records.map((r) => extend(r, { file: shown }));
  };
  const fail = (r: CsvRecord, reason: string): never => {
    throw new CsvError((r as CsvRecord & { file: string }).file, r.line, reason);
  };
  const nis = (r: CsvRecord, col: string): string => {
    const v = r.values[col];
    if (!NIS.test(v)) fail(r, `${col} "${v}" is not a 5-digit NIS code`);
    return v;
  };
  const required = (r: CsvRecord, col: string): string => {
    const v = r.values[col];
    if (!v) fail(r, `${col} is empty`);
    return v;
  };

  const provinces = new Map<string, ProvinceTable>();
  const arrondissements = new Map<string, ArrondissementTable>();
  const arrByName = new Map<string, ArrondissementTable>();
  for (const r of load("hierarchy", ["set", "arrondissement_nis", "arrondissement", "province_nis", "province"])) {
    if (r.values.set !== "2019" && r.values.set !== "2025") fail(r, `set "${r.values.set}" must be 2019 or 2025`);
    const p = { nis: nis(r, "province_nis"), name: required(r, "province") };
    const a = { nis: nis(r, "arrondissement_nis"), name: required(r, "arrondissement"), province_nis: p.nis };
    const known = arrondissements.get(a.nis);
    if (known && (known.name !== a.name || known.province_nis !== a.province_nis)) {
      fail(r, `arrondissement ${a.nis} has two different definitions`);
    }
    provinces.set(p.nis, p);
    arrondissements.set(a.nis, a);
    arrByName.set(`${p.name}|${a.name}`, a);
  }

  const readSet = (key: "m2019" | "m2025") => {
    const rows = new Map<string, { r: CsvRecord; name: string; arr: ArrondissementTable }>();
    for (const r of load(key, ["nis", "name", "province", "arrondissement"])) {
      const code = nis(r, "nis");
      const arr = arrByName.get(`${required(r, "province")}|${required(r, "arrondissement")}`);
      if (!arr) fail(r, `unknown arrondissement "${r.values.arrondissement}" in province "${r.values.province}"`);
      if (rows.has(code)) fail(r, `NIS code ${code} appears twice`);
      rows.set(code, { r, name: required(r, "name"), arr: arr! });
    }
    return rows;
  };
  const set2019 = readSet("m2019");
  const set2025 = readSet("m2025");

  const municipalities: MunicipalityTable[] = [];
  const continued = new Set<string>();
  const seenOld = new Set<string>();
  for (const r of load("crosswalk", ["old_nis", "old_name", "new_nis", "new_name", "changed"])) {
    const oldNis = nis(r, "old_nis");
    const newNis = nis(r, "new_nis");
    const old = set2019.get(oldNis);
    if (!old) fail(r, `old_nis ${oldNis} is not a 2019 municipality`);
    if (!set2025.has(newNis)) fail(r, `new_nis ${newNis} is not a 2025 municipality`);
    if (seenOld.has(oldNis)) fail(r, `old_nis ${oldNis} appears twice`);
    seenOld.add(oldNis);
    const changed = r.values.changed;
    if (changed !== "yes" && changed !== "no") fail(r, `changed "${changed}" must be yes or no`);
    if (changed === "no" && oldNis !== newNis) fail(r, "an unchanged municipality must keep its NIS code");
    const base = {
      nis: oldNis,
      valid_from: SET_2019_FROM,
      name: old!.name,
      arrondissement_nis: old!.arr.nis,
      province_nis: old!.arr.province_nis,
      name_search: searchKey(old!.name),
    };
    if (changed === "no") {
      continued.add(oldNis);
      municipalities.push(extend(base, { valid_to: null, successor_nis: null }));
    } else {
      municipalities.push(extend(base, { valid_to: SET_2019_TO, successor_nis: newNis }));
    }
  }
  for (const [code, m] of set2019) if (!seenOld.has(code)) fail(m.r, `municipality ${code} has no row in ${FILES.crosswalk}`);
  for (const [code, m] of set2025) {
    if (continued.has(code)) continue;
    municipalities.push({
      nis: code,
      valid_from: SET_2025_FROM,
      valid_to: null,
      name: m.name,
      arrondissement_nis: m.arr.nis,
      province_nis: m.arr.province_nis,
      successor_nis: null,
      name_search: searchKey(m.name),
    });
  }

  const zones = new Map<string, PoliceZoneTable>();
  const zoneMembers: PoliceZoneMunicipalityTable[] = [];
  const zoned2025 = new Set<string>();
  for (const r of load("zones2025", ["zone_id", "zone_name", "nis", "municipality", "pinc_zone_code"])) {
    const code = nis(r, "nis");
    if (!set2025.has(code)) fail(r, `nis ${code} is not a 2025 municipality`);
    if (zoned2025.has(code)) fail(r, `municipality ${code} is in two police zones`);
    zoned2025.add(code);
    const id = required(r, "pinc_zone_code");
    const number = r.values.zone_id || null;
    if (number && !/^\d{4}$/.test(number)) fail(r, `zone_id "${number}" is not a 4-digit zone number`);
    const zone = { id, number, name: required(r, "zone_name"), valid_from: SET_2025_FROM, valid_to: null };
    const known = zones.get(id);
    if (known && (known.name !== zone.name || known.number !== zone.number)) fail(r, `police zone ${id} has two different names or numbers`);
    zones.set(id, zone);
    zoneMembers.push({ zone_id: id, nis: code, valid_from: SET_2025_FROM, valid_to: null });
  }
  for (const [code, m] of set2025) if (!zoned2025.has(code)) fail(m.r, `2025 municipality ${code} has no police zone in ${FILES.zones2025}`);

  const zoned2019 = new Set<string>();
  for (const r of load("zones2019", ["nis_2019", "name", "zone_number_2020", "zone_label_2020"])) {
    const code = nis(r, "nis_2019");
    if (!set2019.has(code)) fail(r, `nis_2019 ${code} is not a 2019 municipality`);
    const number = required(r, "zone_number_2020");
    if (!/^\d{4}$/.test(number)) fail(r, `zone_number_2020 "${number}" is not a 4-digit zone number`);
    const id = `pz2020-${number}`;
    zones.set(id, { id, number, name: required(r, "zone_label_2020"), valid_from: SET_2019_FROM, valid_to: SET_2019_TO });
    if (zoned2019.has(code)) fail(r, `municipality ${code} is in two police zones`);
    zoned2019.add(code);
    zoneMembers.push({ zone_id: id, nis: code, valid_from: SET_2019_FROM, valid_to: SET_2019_TO });
  }

  return {
    provinces: [...provinces.values()],
    arrondissements: [...arrondissements.values()],
    municipalities,
    zones: [...zones.values()],
    zoneMembers,
    hash: hash.digest("hex"),
  };
}

export interface ImportResult {
  changed: boolean;
  municipalities: number;
  zones: number;
}

/** Idempotent and all-or-nothing: everything is checked before one transaction replaces the tables. */
export async function importReferenceData(database: Database, dir = DEFAULT_REFERENCE_DIR): Promise<ImportResult> {
  const data = readReferenceData(dir);
  const summary = { municipalities: data.municipalities.length, zones: data.zones.length };
  const last = await database.db.selectFrom("reference_import").select("content_hash").where("id", "=", "current").executeTakeFirst();
  if (last?.content_hash === data.hash) return { changed: false, ...summary };
  await database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("police_zone_municipality").execute();
    await trx.deleteFrom("police_zone").execute();
    await trx.deleteFrom("municipality").execute();
    await trx.deleteFrom("arrondissement").execute();
    await trx.deleteFrom("province").execute();
    const chunks = <T>(rows: T[]) => Array.from({ length: Math.ceil(rows.length / 100) }, (_, i) => rows.slice(i * 100, i * 100 + 100));
    await trx.insertInto("province").values(data.provinces).execute();
    await trx.insertInto("arrondissement").values(data.arrondissements).execute();
    for (const c of chunks(data.municipalities)) await trx.insertInto("municipality").values(c).execute();
    for (const c of chunks(data.zones)) await trx.insertInto("police_zone").values(c).execute();
    for (const c of chunks(data.zoneMembers)) await trx.insertInto("police_zone_municipality").values(c).execute();
    await trx.deleteFrom("reference_import").where("id", "=", "current").execute();
    await trx.insertInto("reference_import").values({ id: "current", content_hash: data.hash, imported_at: nowIso() }).execute();
  });
  return { changed: true, ...summary };
}
