import { type Kysely, sql, type Transaction } from "kysely";
import { precompiled } from "../../platform/db/precompiled";
import type { DB } from "../../platform/db/schema";
import { newId, nowIso } from "../../platform/db/values";
import type {
  LifeStatus,
  LivcFrameworkTable,
  LivcMembershipTable,
  LivcTable,
  MergerDecisionTable,
  MunicipalityObstacleChangeTable,
  MunicipalityObstacleTable,
  ObstacleReason,
} from "./migrations";
import { extend } from "../../platform/objects";

type Db = Kysely<DB> | Transaction<DB>;

export type LivcRow = LivcTable;
export type MembershipRow = LivcMembershipTable;
export type FrameworkRow = LivcFrameworkTable;
export type ObstacleRow = MunicipalityObstacleTable;
export type ObstacleChangeRow = MunicipalityObstacleChangeTable;
export type DecisionRow = MergerDecisionTable;

// Read on every regional request (caches are keyed on it): compiled once per database.
const revisionRow = precompiled((db, id: string) => db.selectFrom("registry_revision").select("revision").where("id", "=", id));

export async function revision(db: Db): Promise<number> {
  const [row] = await revisionRow(db as Kysely<DB>, "current");
  return row ? Number(row.revision) : 0;
}

/**
 * Called inside every write transaction so caches keyed on the revision are dropped. One atomic
 * upsert (revision = revision + 1): two writers at once (two app instances on one PostgreSQL) each
 * get their own number; a read-then-write could give both the same and leave a stale cache.
 */
export async function bumpRevision(db: Db): Promise<void> {
  const at = nowIso();
  await db
    .insertInto("registry_revision")
    .values({ id: "current", revision: 1, changed_at: at })
    .onConflict((oc) => oc.column("id").doUpdateSet({ revision: sql<number>`registry_revision.revision + 1`, changed_at: at }))
    .execute();
}

/** Everything the timeline needs, in a handful of indexed queries. */
export async function loadAll(db: Db) {
  const [livcs, memberships, statuses, decisions, obstacles] = await Promise.all([
    db.selectFrom("livc").select(["id", "code", "name"]).orderBy("code").execute(),
    db.selectFrom("livc_membership").select(["id", "livc_id", "nis", "joined_on", "left_on"]).execute(),
    db.selectFrom("livc_status").select(["livc_id", "status", "from_on"]).execute(),
    db.selectFrom("merger_decision").select(["nis", "decision", "livc_id"]).execute(),
    db.selectFrom("municipality_obstacle").select(["nis", "recorded_on", "reason", "note", "ended_on"]).execute(),
  ]);
  return { livcs, memberships, statuses, decisions, obstacles };
}

export const listLivcs = (db: Db) => db.selectFrom("livc").selectAll().orderBy("code").execute();

export const livcById = (db: Db, id: string) => db.selectFrom("livc").selectAll().where("id", "=", id).executeTakeFirst();

export const livcByCode = (db: Db, code: string) => db.selectFrom("livc").selectAll().where("code", "=", code).executeTakeFirst();

export type LivcFields = Omit<LivcTable, "id" | "created_at" | "updated_at">;

export async function insertLivc(db: Db, fields: LivcFields): Promise<string> {
  const id = newId();
  const now = nowIso();
  await db
    .insertInto("livc")
    .values({ id, ...fields, created_at: now, updated_at: now })
    .execute();
  return id;
}

export async function updateLivc(db: Db, id: string, fields: Partial<LivcFields>): Promise<void> {
  await db
    .updateTable("livc")
    .set(extend(fields, { updated_at: nowIso() }))
    .where("id", "=", id)
    .execute();
}

export const membershipsOfLivc = (db: Db, livcId: string) =>
  db.selectFrom("livc_membership").selectAll().where("livc_id", "=", livcId).orderBy("joined_on").orderBy("nis").execute();

export const membershipsOfNis = (db: Db, nis: readonly string[]) =>
  nis.length === 0 ? Promise.resolve([]) : db.selectFrom("livc_membership").selectAll().where("nis", "in", nis).execute();

export const membershipById = (db: Db, id: string) => db.selectFrom("livc_membership").selectAll().where("id", "=", id).executeTakeFirst();

export async function insertMembership(db: Db, m: { livc_id: string; nis: string; joined_on: string; left_on: string | null }): Promise<string> {
  const id = newId();
  await db
    .insertInto("livc_membership")
    .values({ id, ...m, created_at: nowIso() })
    .execute();
  return id;
}

export async function setMembershipLeftOn(db: Db, id: string, leftOn: string | null): Promise<void> {
  await db.updateTable("livc_membership").set({ left_on: leftOn }).where("id", "=", id).execute();
}

export const statusesOfLivc = (db: Db, livcId: string) =>
  db.selectFrom("livc_status").selectAll().where("livc_id", "=", livcId).orderBy("from_on").execute();

export async function upsertStatus(db: Db, livcId: string, status: LifeStatus, fromOn: string, note: string | null): Promise<void> {
  await db.deleteFrom("livc_status").where("livc_id", "=", livcId).where("from_on", "=", fromOn).execute();
  await db.insertInto("livc_status").values({ id: newId(), livc_id: livcId, status, from_on: fromOn, note, created_at: nowIso() }).execute();
}

export const frameworksOfLivc = (db: Db, livcId: string) =>
  db.selectFrom("livc_framework").selectAll().where("livc_id", "=", livcId).orderBy("version").execute();

export async function insertFramework(db: Db, f: Omit<FrameworkRow, "id" | "version" | "created_at">): Promise<number> {
  const last = await db
    .selectFrom("livc_framework")
    .select("version")
    .where("livc_id", "=", f.livc_id)
    .orderBy("version", "desc")
    .executeTakeFirst();
  const version = (last?.version ?? 0) + 1;
  await db.insertInto("livc_framework").values({ id: newId(), version, ...f, created_at: nowIso() }).execute();
  return version;
}

export const obstaclesOfNis = (db: Db, nis: string) =>
  db.selectFrom("municipality_obstacle").selectAll().where("nis", "=", nis).orderBy("recorded_on").execute();

export async function obstacleExists(db: Db, o: { nis: string; recorded_on: string; reason: ObstacleReason; note: string }): Promise<boolean> {
  const row = await db
    .selectFrom("municipality_obstacle")
    .select("id")
    .where("nis", "=", o.nis)
    .where("recorded_on", "=", o.recorded_on)
    .where("reason", "=", o.reason)
    .where("note", "=", o.note)
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * For the import: recorded as it stands, or as it stood before a correction (so re-importing the
 * file an obstacle came from does not bring back what an analyst corrected).
 */
export async function obstacleKnown(db: Db, o: { nis: string; recorded_on: string; reason: ObstacleReason; note: string }): Promise<boolean> {
  if (await obstacleExists(db, o)) return true;
  const before = await db
    .selectFrom("municipality_obstacle_change")
    .select("id")
    .where("nis", "=", o.nis)
    .where("recorded_on", "=", o.recorded_on)
    .where("reason", "=", o.reason)
    .where("note", "=", o.note)
    .executeTakeFirst();
  return Boolean(before);
}

export async function insertObstacle(db: Db, o: { nis: string; recorded_on: string; reason: ObstacleReason; note: string }): Promise<void> {
  await db.insertInto("municipality_obstacle").values({ id: newId(), ...o, ended_on: null, created_at: nowIso() }).execute();
}

export const obstacleById = (db: Db, id: string) => db.selectFrom("municipality_obstacle").selectAll().where("id", "=", id).executeTakeFirst();

/** The obstacle's current values: reason and note (a correction) or ended_on (an end). */
export async function updateObstacle(db: Db, id: string, fields: Partial<Pick<ObstacleRow, "reason" | "note" | "ended_on">>): Promise<void> {
  await db.updateTable("municipality_obstacle").set(fields).where("id", "=", id).execute();
}

/** Keeps the values an obstacle had before a change. */
export async function insertObstacleChange(db: Db, before: ObstacleRow, kind: ObstacleChangeRow["kind"], changedBy: string | null): Promise<void> {
  await db
    .insertInto("municipality_obstacle_change")
    .values({
      id: newId(),
      obstacle_id: before.id,
      kind,
      nis: before.nis,
      recorded_on: before.recorded_on,
      reason: before.reason,
      note: before.note,
      ended_on: before.ended_on,
      changed_by: changedBy,
      changed_at: nowIso(),
    })
    .execute();
}

/** Every earlier state of the obstacles of one municipality, oldest first. */
export const obstacleChangesOfNis = (db: Db, nis: string) =>
  db.selectFrom("municipality_obstacle_change").selectAll().where("nis", "=", nis).orderBy("changed_at").orderBy("id").execute();

export const decisionOf = (db: Db, nis: string) => db.selectFrom("merger_decision").selectAll().where("nis", "=", nis).executeTakeFirst();

export async function saveDecision(db: Db, d: Omit<DecisionRow, "decided_at">): Promise<void> {
  await db.deleteFrom("merger_decision").where("nis", "=", d.nis).execute();
  await db.insertInto("merger_decision").values(extend(d, { decided_at: nowIso() })).execute();
}
