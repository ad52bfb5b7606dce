import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { Database } from "../../platform/db";
import type { DB } from "../../platform/db/schema";
import { auditRegistryChange } from "./audit";
import type { ObstacleReason } from "./migrations";
import { RegistryRuleError } from "./service";
import * as store from "./store";
import { extend } from "../../platform/objects";

/**
 * Correcting and ending an obstacle (decision 0044): regional analysts and administrators. The row
 * holds the current values; every change first keeps the previous values in
 * municipality_obstacle_change, so nothing recorded is lost. Each change bumps the register revision
 * (coverage and regional caches are dropped) and commits with its audit entry.
 */

export const obstacleById = (db: Kysely<DB>, id: string) => store.obstacleById(db, id);

/** The obstacles of one municipality, each with its earlier states (oldest first). */
export async function obstacleHistory(db: Kysely<DB>, nis: string) {
  const [rows, changes] = await Promise.all([store.obstaclesOfNis(db, nis), store.obstacleChangesOfNis(db, nis)]);
  return rows.map((o) => extend(o, { earlier: changes.filter((c) => c.obstacle_id === o.id) }));
}

async function change(
  database: Database,
  who: AuditWho,
  id: string,
  kind: "correct" | "end",
  fields: Partial<Pick<store.ObstacleRow, "reason" | "note" | "ended_on">>,
): Promise<store.ObstacleRow> {
  const before = await store.obstacleById(database.db, id);
  if (!before) throw new RegistryRuleError("unknown_obstacle");
  await database.db.transaction().execute(async (trx) => {
    await store.insertObstacleChange(trx, before, kind, who.actor?.userId ?? null);
    await store.updateObstacle(trx, id, fields);
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, kind === "correct" ? "registry.obstacle.correct" : "registry.obstacle.end", { type: "municipality_obstacle", id });
  });
  return before;
}

/** A new category and/or note for an obstacle; refused when nothing changes or another current row says the same. */
export async function correctObstacle(database: Database, who: AuditWho, id: string, c: { reason: ObstacleReason; note: string }): Promise<string> {
  const o = await store.obstacleById(database.db, id);
  if (!o) throw new RegistryRuleError("unknown_obstacle");
  if (o.reason === c.reason && o.note === c.note) throw new RegistryRuleError("obstacle_unchanged", {}, "reason");
  if (await store.obstacleExists(database.db, { nis: o.nis, recorded_on: o.recorded_on, ...c })) throw new RegistryRuleError("obstacle_duplicate", {}, "reason");
  return (await change(database, who, id, "correct", c)).nis;
}

/** Ends an obstacle on endedOn (the first day it no longer applies) or, with null, lets it apply again. */
export async function endObstacle(database: Database, who: AuditWho, id: string, endedOn: string | null): Promise<string> {
  const o = await store.obstacleById(database.db, id);
  if (!o) throw new RegistryRuleError("unknown_obstacle");
  if (endedOn !== null && endedOn <= o.recorded_on) throw new RegistryRuleError("ended_before_recorded", { date: o.recorded_on }, "ended_on");
  if (endedOn === o.ended_on) throw new RegistryRuleError("obstacle_unchanged", {}, "ended_on");
  return (await change(database, who, id, "end", { ended_on: endedOn })).nis;
}
