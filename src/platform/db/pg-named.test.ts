import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl, pgAdminUrl } from "../../../test/support/db";
import { type Database, openDatabase } from ".";

// PostgreSQL: the app's fixed queries are sent as named statements (index.ts withNamedStatements), parsed
// once per connection; utility statements and parameterless ones stay unnamed.
describe.runIf(Boolean(pgAdminUrl()))("PostgreSQL named statements", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase(await freshDatabaseUrl("postgres"));
    await sql`create table t (id integer primary key, name text)`.execute(database.db);
    await sql`insert into t values (1, 'een'), (2, 'twee')`.execute(database.db);
  });
  afterAll(() => database.close());

  const byId = (db: Database["db"], id: number) => db.selectFrom("t" as never).selectAll().where("id" as never, "=", id as never).execute() as Promise<Record<string, unknown>[]>;
  const prepared = async (db: Database["db"]) => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map((r) => r.statement);

  it("prepares a query with parameters once per connection and runs it with each call's values", async () => {
    await database.db.transaction().execute(async (trx) => {
      expect(await byId(trx, 1)).toEqual([{ id: 1, name: "een" }]);
      expect(await byId(trx, 2)).toEqual([{ id: 2, name: "twee" }]);
      const statements = await prepared(trx);
      expect(statements.filter((s) => s.includes('from "t" where "id" = $1'))).toHaveLength(1);
      // "begin" and the parameterless query above were not named.
      expect(statements.some((s) => /^\s*begin/i.test(s) || s.includes("pg_prepared_statements"))).toBe(false);
    });
  });

  it("runs a named statement again after a schema change that alters its result", async () => {
    await database.db.transaction().execute(async (trx) => {
      expect(Object.keys((await byId(trx, 1))[0])).toEqual(["id", "name"]);
      await sql`alter table t add column extra text default 'x'`.execute(trx);
      expect(await byId(trx, 1)).toEqual([{ id: 1, name: "een", extra: "x" }]);
    });
    // Other connections of the pool that named it before the change get the new shape too.
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => byId(database.db, (i % 2) + 1)));
    for (const rows of all) expect(Object.keys(rows[0])).toEqual(["id", "name", "extra"]);
  });

  it("meets a schema change made by another process: renamed and run again once", async () => {
    const before = await Promise.all(Array.from({ length: 12 }, () => byId(database.db, 2)));
    expect(before[0]).toEqual([{ id: 2, name: "twee", extra: "x" }]);
    // Not through this pool: its connections still hold the statement under its old name.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("alter table t add column later integer default 5");
    } finally {
      await client.end();
    }
    const after = await Promise.all(Array.from({ length: 12 }, () => byId(database.db, 2)));
    for (const rows of after) expect(rows).toEqual([{ id: 2, name: "twee", extra: "x", later: 5 }]);
  });
});

describe.runIf(Boolean(pgAdminUrl()))("PostgreSQL named statements off (SCHAKEL_PG_NAMED_STATEMENTS=off)", () => {
  it("sends every query unnamed", async () => {
    const database = await openDatabase(await freshDatabaseUrl("postgres"), { namedStatements: false });
    try {
      await sql`create table u (id integer primary key)`.execute(database.db);
      await database.db.transaction().execute(async (trx) => {
        await trx.selectFrom("u" as never).selectAll().where("id" as never, "=", 1 as never).execute();
        const r = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(trx);
        expect(r.rows[0].n).toBe(0);
      });
    } finally {
      await database.close();
    }
  });
});
