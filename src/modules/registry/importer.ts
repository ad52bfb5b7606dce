/**
 * CSV imports of the register (an interface other tools depend on: keep the headers and messages).
 * All-or-nothing: every row is checked first; any error aborts with every error as "line N: reason"
 * and nothing changes. Idempotent: rows already in the register are left alone.
 */
import type { AuditWho } from "../../platform/audit";
import { CsvError, type CsvRecord, parseCsv } from "../../platform/csv";
import type { Database } from "../../platform/db";
import { addDays, isIsoDate } from "../../platform/db/values";
import { auditRegistryChange } from "./audit";
import { OBSTACLE_REASONS, type ObstacleReason } from "./migrations";
import { type CandidateRow, existsInPeriod, findOverlaps, overlapText } from "./rules";
import { municipalityVersions } from "./municipalities";
import * as store from "./store";
import { CALENDAR_START, laterDate, type MunicipalityVersion } from "./timeline";

export const REGISTER_HEADER = ["livc_code", "livc_name", "nis", "joined_on", "left_on"] as const;
export const OBSTACLE_HEADER = ["nis", "recorded_on", "reason", "note"] as const;

export class RegistryImportError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join("\n"));
  }
}

export interface RegisterImportResult {
  dryRun: boolean;
  rows: number;
  livcsCreated: number;
  livcsRenamed: number;
  membershipsAdded: number;
  membershipsUpdated: number;
  unchanged: number;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const NIS = /^\d{5}$/;

function readCsv(text: string, file: string, header: readonly string[]): CsvRecord[] {
  try {
    return parseCsv(text, file, header).records;
  } catch (e) {
    if (e instanceof CsvError) throw new RegistryImportError([`line ${e.line}: ${e.reason}`]);
    throw e;
  }
}

function versionsIndex(versions: MunicipalityVersion[]) {
  const byNis = new Map<string, MunicipalityVersion[]>();
  for (const v of versions) byNis.set(v.nis, [...(byNis.get(v.nis) ?? []), v].sort((a, b) => a.validFrom.localeCompare(b.validFrom)));
  return byNis;
}

export async function importRegister(
  database: Database,
  who: AuditWho,
  text: string,
  opts: { file?: string; dryRun?: boolean } = {},
): Promise<RegisterImportResult> {
  const db = database.db;
  const records = readCsv(text, opts.file ?? "import.csv", REGISTER_HEADER);
  const versionsByNis = versionsIndex(await municipalityVersions(db));
  const existingLivcs = new Map((await store.listLivcs(db)).map((l) => [l.code, l]));
  const errors: { line: number; reason: string }[] = [];
  const fail = (line: number, reason: string) => errors.push({ line, reason });

  const namesInFile = new Map<string, { name: string; line: number }>();
  const fileRows: (CandidateRow & { line: number })[] = [];
  for (const r of records) {
    const v = r.values;
    let ok = true;
    const bad = (reason: string) => {
      fail(r.line, reason);
      ok = false;
    };
    if (!CODE.test(v.livc_code)) bad(`livc_code "${v.livc_code}" must be 1 to 40 letters, digits, ".", "_" or "-"`);
    if (!v.livc_name) bad("livc_name is empty");
    else if (v.livc_name.length > 200) bad("livc_name is longer than 200 characters");
    if (!NIS.test(v.nis)) bad(`nis "${v.nis}" is not a 5-digit NIS code`);
    if (!isIsoDate(v.joined_on)) bad(`joined_on "${v.joined_on}" is not a date written YYYY-MM-DD`);
    if (v.left_on && !isIsoDate(v.left_on)) bad(`left_on "${v.left_on}" is not a date written YYYY-MM-DD`);
    if (ok && v.left_on && v.left_on <= v.joined_on) bad(`left_on ${v.left_on} is not after joined_on ${v.joined_on}`);
    const named = namesInFile.get(v.livc_code);
    if (named && v.livc_name && named.name !== v.livc_name) bad(`livc_code ${v.livc_code} has the name "${named.name}" on line ${named.line} and "${v.livc_name}" here`);
    if (!named && v.livc_name) namesInFile.set(v.livc_code, { name: v.livc_name, line: r.line });
    if (!ok) continue;
    const row = { joined_on: v.joined_on, left_on: v.left_on || null };
    if (!existsInPeriod(row, versionsByNis.get(v.nis) ?? [])) {
      fail(r.line, `nis ${v.nis} is not a Flemish municipality on any day from ${laterDate(row.joined_on, CALENDAR_START)} to ${row.left_on ?? "today"}`);
      continue;
    }
    const known = existingLivcs.get(v.livc_code);
    fileRows.push({ ref: `line ${r.line}`, line: r.line, livcId: known?.id ?? `new:${v.livc_code}`, livcCode: v.livc_code, livcName: v.livc_name, nis: v.nis, ...row });
  }

  // Match file rows to stored rows on (LIVC, NIS, joined_on): equal = unchanged, other left_on = update.
  const stored = await store.membershipsOfNis(db, [...new Set(fileRows.map((r) => r.nis))]);
  const codeOfLivc = new Map([...existingLivcs.values()].map((l) => [l.id, l]));
  const storedRows: CandidateRow[] = stored.map((m) => ({
    ref: m.id,
    livcId: m.livc_id,
    livcCode: codeOfLivc.get(m.livc_id)?.code ?? "?",
    livcName: codeOfLivc.get(m.livc_id)?.name ?? "?",
    nis: m.nis,
    joined_on: m.joined_on,
    left_on: m.left_on,
  }));
  const seen = new Map<string, number>();
  const toAdd: typeof fileRows = [];
  const toUpdate: { id: string; left_on: string | null }[] = [];
  let unchanged = 0;
  for (const row of fileRows) {
    const key = `${row.livcCode}|${row.nis}|${row.joined_on}`;
    const dup = seen.get(key);
    if (dup !== undefined) {
      fail(row.line, `the same LIVC, nis and joined_on as line ${dup}`);
      continue;
    }
    seen.set(key, row.line);
    const match = storedRows.find((s) => s.livcId === row.livcId && s.nis === row.nis && s.joined_on === row.joined_on);
    if (!match) toAdd.push(row);
    else if (match.left_on === row.left_on) unchanged++;
    else {
      toUpdate.push({ id: match.ref, left_on: row.left_on });
      match.left_on = row.left_on;
    }
  }
  const candidates: CandidateRow[] = [...storedRows, ...toAdd];
  for (const o of findOverlaps(candidates, versionsByNis)) {
    const lines = [o.a, o.b].map((x) => (x as { line?: number }).line).filter((l): l is number => l !== undefined);
    const updatedStored = [o.a, o.b].some((x) => toUpdate.some((u) => u.id === x.ref));
    if (lines.length === 0 && !updatedStored) continue;
    const line = lines.length > 0 ? Math.max(...lines) : (fileRows.find((f) => toUpdate.some((u) => (u.id === o.a.ref || u.id === o.b.ref) && f.joined_on === (u.id === o.a.ref ? o.a : o.b).joined_on))?.line ?? 0);
    fail(line, overlapText(o));
  }
  if (errors.length > 0) throw new RegistryImportError(errors.sort((a, b) => a.line - b.line).map((e) => `line ${e.line}: ${e.reason}`));

  const renames = [...namesInFile].filter(([code, n]) => existingLivcs.has(code) && existingLivcs.get(code)!.name !== n.name);
  const newCodes = [...namesInFile.keys()].filter((code) => !existingLivcs.has(code));
  const result: RegisterImportResult = {
    dryRun: Boolean(opts.dryRun),
    rows: records.length,
    livcsCreated: newCodes.length,
    livcsRenamed: renames.length,
    membershipsAdded: toAdd.length,
    membershipsUpdated: toUpdate.length,
    unchanged,
  };
  const changes = newCodes.length + renames.length + toAdd.length + toUpdate.length;
  if (opts.dryRun || changes === 0) return result;

  await db.transaction().execute(async (trx) => {
    const ids = new Map([...existingLivcs].map(([code, l]) => [code, l.id]));
    for (const code of newCodes) {
      const firstJoined = fileRows.filter((r) => r.livcCode === code).map((r) => r.joined_on).sort()[0] ?? null;
      const id = await store.insertLivc(trx, {
        code,
        name: namesInFile.get(code)!.name,
        founded_on: firstJoined,
        chair_user_id: null,
        chair_name: null,
        coordinator_user_id: null,
        coordinator_name: null,
        info_officer_user_id: null,
        info_officer_name: null,
      });
      ids.set(code, id);
      await auditRegistryChange(database, trx, who, "registry.livc.create", { type: "livc", id, livcId: id });
    }
    for (const [code, n] of renames) {
      await store.updateLivc(trx, ids.get(code)!, { name: n.name });
      await auditRegistryChange(database, trx, who, "registry.livc.update", { type: "livc", id: ids.get(code)!, livcId: ids.get(code)! });
    }
    for (const row of toAdd) {
      const livcId = ids.get(row.livcCode)!;
      const id = await store.insertMembership(trx, { livc_id: livcId, nis: row.nis, joined_on: row.joined_on, left_on: row.left_on });
      await auditRegistryChange(database, trx, who, "registry.membership.import", { type: "livc_membership", id, livcId });
    }
    for (const u of toUpdate) {
      await store.setMembershipLeftOn(trx, u.id, u.left_on);
      await auditRegistryChange(database, trx, who, "registry.membership.import", { type: "livc_membership", id: u.id });
    }
    await store.bumpRevision(trx);
  });
  return result;
}

export interface ObstacleImportResult { rows: number; added: number; unchanged: number }

export async function importObstacles(database: Database, who: AuditWho, text: string, opts: { file?: string } = {}): Promise<ObstacleImportResult> {
  const db = database.db;
  const records = readCsv(text, opts.file ?? "obstacles.csv", OBSTACLE_HEADER);
  const versionsByNis = versionsIndex(await municipalityVersions(db));
  const errors: string[] = [];
  const rows: { nis: string; recorded_on: string; reason: ObstacleReason; note: string }[] = [];
  const keys = new Set<string>();
  for (const r of records) {
    const v = r.values;
    const before = errors.length;
    if (!NIS.test(v.nis)) errors.push(`line ${r.line}: nis "${v.nis}" is not a 5-digit NIS code`);
    if (!isIsoDate(v.recorded_on)) errors.push(`line ${r.line}: recorded_on "${v.recorded_on}" is not a date written YYYY-MM-DD`);
    if (!(OBSTACLE_REASONS as readonly string[]).includes(v.reason)) errors.push(`line ${r.line}: reason "${v.reason}" must be one of ${OBSTACLE_REASONS.join(", ")}`);
    if (v.reason === "other" && !v.note) errors.push(`line ${r.line}: reason "other" needs a note`);
    if (v.note.length > 500) errors.push(`line ${r.line}: note is longer than 500 characters`);
    if (errors.length > before) continue;
    const day = laterDate(v.recorded_on, CALENDAR_START);
    if (!existsInPeriod({ joined_on: day, left_on: addDays(day, 1) }, versionsByNis.get(v.nis) ?? [])) {
      errors.push(`line ${r.line}: nis ${v.nis} is not a Flemish municipality on ${day}`);
      continue;
    }
    const row = { nis: v.nis, recorded_on: v.recorded_on, reason: v.reason as ObstacleReason, note: v.note };
    const key = JSON.stringify(row);
    if (keys.has(key)) continue;
    keys.add(key);
    rows.push(row);
  }
  if (errors.length > 0) throw new RegistryImportError(errors);
  const fresh: typeof rows = [];
  for (const row of rows) if (!(await store.obstacleKnown(db, row))) fresh.push(row);
  if (fresh.length > 0) {
    await db.transaction().execute(async (trx) => {
      for (const row of fresh) {
        await store.insertObstacle(trx, row);
        await auditRegistryChange(database, trx, who, "registry.obstacle.import", { type: "municipality_obstacle", id: row.nis });
      }
      await store.bumpRevision(trx);
    });
  }
  return { rows: records.length, added: fresh.length, unchanged: records.length - fresh.length };
}
