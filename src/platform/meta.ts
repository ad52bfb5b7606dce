import type { Kysely } from "kysely";
import type { SchakelMigration } from "./db/migrate";
import type { DB } from "./db/schema";

/** Small key/value facts about this installation (e.g. whether demo data was loaded). */
export const metaMigrations: SchakelMigration[] = [
  {
    name: "2026112900_platform_meta",
    async up(db) {
      await db.schema
        .createTable("app_meta")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
    },
  },
];

export async function getMeta(db: Kysely<DB>, key: string): Promise<string | undefined> {
  return (await db.selectFrom("app_meta").select("value").where("key", "=", key).executeTakeFirst())?.value;
}

export async function setMeta(db: Kysely<DB>, key: string, value: string): Promise<void> {
  await db.deleteFrom("app_meta").where("key", "=", key).execute();
  await db.insertInto("app_meta").values({ key, value }).execute();
}

declare module "./db/schema" {
  interface DB {
    app_meta: { key: string; value: string };
  }
}
