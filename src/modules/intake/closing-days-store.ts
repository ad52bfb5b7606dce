import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../platform/db/schema";
import { newId, nowIso } from "../../platform/db/values";

/**
 * Queries for the closing days of an LIVC (intake_livc_closing_day): "MM-DD" every year or
 * "YYYY-MM-DD" that date only. Ordered by the day text: the yearly days ("01-.." to "12-..") sort
 * before the one-off dates ("2019-.." on). The history of changes is the audit log.
 */
type Db = Kysely<DB> | Transaction<DB>;

export interface ClosingDayRow {
  id: string;
  livc_id: string;
  day: string;
  description: string;
  created_at: string;
}

const COLUMNS = ["id", "livc_id", "day", "description", "created_at"] as const;

export const closingDaysOfLivc = (db: Db, livcId: string): Promise<ClosingDayRow[]> =>
  db.selectFrom("intake_livc_closing_day").select(COLUMNS).where("livc_id", "=", livcId).orderBy("day").execute();

/** The days of several LIVCs in one query (a page of a queue, whatever its length). */
export async function closingDaysOfLivcs(db: Db, livcIds: readonly string[]): Promise<Map<string, string[]>> {
  const byLivc = new Map<string, string[]>(livcIds.map((id) => [id, []]));
  if (livcIds.length === 0) return byLivc;
  const rows = await db.selectFrom("intake_livc_closing_day").select(["livc_id", "day"]).where("livc_id", "in", [...livcIds]).orderBy("day").execute();
  for (const r of rows) byLivc.get(r.livc_id)?.push(r.day);
  return byLivc;
}

export async function insertClosingDay(db: Db, row: { livc_id: string; day: string; description: string; created_by: string | null }): Promise<string> {
  const id = newId();
  await db.insertInto("intake_livc_closing_day").values({ id, ...row, created_at: nowIso() }).execute();
  return id;
}

/** Deletes one day of one LIVC; false when that LIVC has no such row. */
export async function deleteClosingDay(db: Db, livcId: string, id: string): Promise<boolean> {
  const res = await db.deleteFrom("intake_livc_closing_day").where("id", "=", id).where("livc_id", "=", livcId).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}
