import { type Kysely, sql, type Transaction } from "kysely";
import type { DB } from "../../platform/db/schema";
import { newId, nowIso } from "../../platform/db/values";

/**
 * Queries for the regional contact points (intake_regional_contact): who answers for reports from
 * municipalities without an LIVC, per province (null: all of Flanders). The table has no validity
 * period: a designation exists until it is ended (deleted); its history is the audit log.
 */
type Db = Kysely<DB> | Transaction<DB>;

export interface ContactPointRow {
  id: string;
  user_id: string;
  province: string | null;
  created_at: string;
  display_name: string;
  email: string;
  status: string;
}

/** Every designation with the account's name, e-mail and status; "all of Flanders" first, then by province and name. */
export const listContactPoints = (db: Db): Promise<ContactPointRow[]> =>
  db
    .selectFrom("intake_regional_contact as c")
    .innerJoin("app_user as u", "u.id", "c.user_id")
    .select(["c.id", "c.user_id", "c.province", "c.created_at", "u.display_name", "u.email", "u.status"])
    .orderBy(sql`case when c.province is null then 0 else 1 end`)
    .orderBy("c.province")
    .orderBy(sql`lower(u.display_name)`)
    .orderBy("c.id")
    .execute();

export const contactPointById = (db: Db, id: string): Promise<ContactPointRow | undefined> =>
  db
    .selectFrom("intake_regional_contact as c")
    .innerJoin("app_user as u", "u.id", "c.user_id")
    .select(["c.id", "c.user_id", "c.province", "c.created_at", "u.display_name", "u.email", "u.status"])
    .where("c.id", "=", id)
    .executeTakeFirst();

/** The designation of this account for this province (null: all of Flanders), other than `exceptId`. */
export const sameContactPoint = (db: Db, userId: string, province: string | null, exceptId?: string) =>
  db
    .selectFrom("intake_regional_contact")
    .select("id")
    .where("user_id", "=", userId)
    .where((eb) => (province === null ? eb("province", "is", null) : eb("province", "=", province)))
    .$if(exceptId !== undefined, (q) => q.where("id", "!=", exceptId!))
    .executeTakeFirst();

export async function insertContactPoint(db: Db, userId: string, province: string | null): Promise<string> {
  const id = newId();
  await db.insertInto("intake_regional_contact").values({ id, user_id: userId, province, created_at: nowIso() }).execute();
  return id;
}

export async function setContactPointProvince(db: Db, id: string, province: string | null): Promise<boolean> {
  const res = await db.updateTable("intake_regional_contact").set({ province }).where("id", "=", id).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function deleteContactPoint(db: Db, id: string): Promise<boolean> {
  const res = await db.deleteFrom("intake_regional_contact").where("id", "=", id).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}
