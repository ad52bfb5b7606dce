import { spawnSync } from "node:child_process";
import path from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { activeDialects, freshDatabaseUrl } from "../../../test/support/db";
import { allMigrations } from "../../modules/migrations";
import { type DialectName, openDatabase } from "./index";
import { migrate, NewerDatabaseError, type SchakelMigration } from "./migrate";

/** Decision 0068 (ops audit s8, finding 7): a failed run leaves the schema as it was; a newer database is named. */
const ROOT = path.resolve(import.meta.dirname, "../../..");

const createT: SchakelMigration = {
  name: "2026122120_test_create_t",
  async up(db) {
    await db.schema.createTable("mig_t").addColumn("id", "text", (c) => c.primaryKey()).execute();
  },
};
/** Two steps; the second throws when `fail` is set (a disk full, a bug, a kill half-way). */
const twoSteps = (fail: boolean): SchakelMigration => ({
  name: "2026122121_test_two_steps",
  async up(db) {
    await db.schema.alterTable("mig_t").addColumn("first", "text").execute();
    if (fail) throw new Error("step two failed");
    await db.schema.alterTable("mig_t").addColumn("second", "text").execute();
  },
});

async function columns(db: Awaited<ReturnType<typeof openDatabase>>, dialect: DialectName, table: string): Promise<string[]> {
  if (dialect === "sqlite") return (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db.db)).rows.map((r) => r.name).sort();
  return (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_name = ${table}`.execute(db.db)).rows.map((r) => r.name).sort();
}

const recorded = async (db: Awaited<ReturnType<typeof openDatabase>>) =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.db)).rows.map((r) => r.name);

for (const dialect of activeDialects()) {
  describe(`migrations [${dialect}]`, () => {
    it("roll back a run that fails half-way (the first step of a two-step migration too); a fixed re-run succeeds", async () => {
      const database = await openDatabase(await freshDatabaseUrl(dialect));
      try {
        await migrate(database, [createT]);
        await expect(migrate(database, [createT, twoSteps(true)])).rejects.toThrow("step two failed");
        expect(await columns(database, dialect, "mig_t")).toEqual(["id"]);
        expect(await recorded(database)).toEqual([createT.name]);
        // The same statements again: without the rollback "duplicate column name: first".
        expect(await migrate(database, [createT, twoSteps(false)])).toEqual([twoSteps(false).name]);
        expect(await columns(database, dialect, "mig_t")).toEqual(["first", "id", "second"]);
        expect(await recorded(database)).toEqual([createT.name, twoSteps(false).name]);
        // The app's Kysely still works on the same connection afterwards.
        await sql`insert into mig_t (id, first, second) values ('a', 'b', 'c')`.execute(database.db);
        expect((await sql<{ n: number }>`select count(*) as n from mig_t`.execute(database.db)).rows[0].n).toEqual(1);
      } finally {
        await database.close();
      }
    });

    it("a failing migration in a run of several leaves none of them applied", async () => {
      const database = await openDatabase(await freshDatabaseUrl(dialect));
      try {
        await expect(migrate(database, [createT, twoSteps(true)])).rejects.toThrow("step two failed");
        expect(await recorded(database)).toEqual([]);
        const tables = dialect === "sqlite"
          ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = 'mig_t'`.execute(database.db)
          : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_name = 'mig_t'`.execute(database.db);
        expect(tables.rows).toEqual([]);
      } finally {
        await database.close();
      }
    });

    it("names the migration of a newer release in one line instead of 'corrupted migrations'", async () => {
      const database = await openDatabase(await freshDatabaseUrl(dialect));
      try {
        await migrate(database, [createT, twoSteps(false)]);
        const error = await migrate(database, [createT]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NewerDatabaseError);
        expect((error as Error).message).toBe(
          `This database was upgraded by a newer Schakel (migration ${twoSteps(false).name}); run that release, or restore the backup made before the upgrade with this release.`,
        );
      } finally {
        await database.close();
      }
    });
  });
}

// The CLI's handling is the same for both databases: one run (each CLI start costs ~2 s).
describe("schakel migrate on a database of a newer release", () => {
  it("exits 2 with that one line", async () => {
    const url = await freshDatabaseUrl("sqlite");
    const database = await openDatabase(url);
    try {
      await migrate(database, allMigrations());
      await sql`insert into kysely_migration (name, timestamp) values ('2099010100_future_feature', '2099-01-01T00:00:00.000Z')`.execute(database.db);
    } finally {
      await database.close();
    }
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin/schakel.js"), "migrate"], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_ENV: "test", DATABASE_URL: url } });
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(
      "This database was upgraded by a newer Schakel (migration 2099010100_future_feature); run that release, or restore the backup made before the upgrade with this release.",
    );
  }, 60_000);
});
