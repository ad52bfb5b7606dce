import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, followsSchema, openDatabase } from ".";

// SQLite rows are fetched as arrays and built into objects in JS (index.ts rowsBuiltInJs): they must be
// exactly what better-sqlite3 itself gives, and follow schema changes.
describe("SQLite rows built in JS", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase("sqlite::memory:");
    await sql`create table t (id integer primary key, name text, note text, amount real, data blob)`.execute(database.db);
    await sql`insert into t values (1, 'één', null, 1.5, x'00ff'), (2, 'twee', 'n', -3, null), (3, null, '', 0, x'')`.execute(database.db);
  });
  afterAll(() => database.close());

  const same = async (text: string) => {
    const ours = (await sql.raw(text).execute(database.db)).rows;
    const theirs = database.native!.prepare(text).all();
    expect(ours).toEqual(theirs);
    expect(ours.map((r) => Object.keys(r as object))).toEqual(theirs.map((r) => Object.keys(r as object)));
    return ours as Record<string, unknown>[];
  };

  it("gives the same rows, keys and values as better-sqlite3 (nulls, numbers, blobs, aliases, repeated names)", async () => {
    expect(await same("select * from t order by id")).toHaveLength(3);
    await same(`select id as "weird key "" ' \\", name, name as id from t order by id desc`);
    await same("select a.id, b.id, a.name from t a join t b on b.id = a.id + 1");
    expect(await same("select * from t where id = 99")).toEqual([]);
    // A name that would set the prototype of an object literal: better-sqlite3's own objects are used.
    const proto = await same('select 1 as "__proto__", 2 as x');
    expect(Object.getPrototypeOf(proto[0])).toBe(Object.getPrototypeOf({}));
  });

  it("follows a schema change: a new column, then a dropped and an added one (same count)", async () => {
    const all = () => database.db.selectFrom("t" as never).selectAll().orderBy("id" as never).execute() as Promise<Record<string, unknown>[]>;
    expect(Object.keys((await all())[0])).toEqual(["id", "name", "note", "amount", "data"]);
    await sql`alter table t add column extra text default 'x'`.execute(database.db);
    expect((await all())[0]).toMatchObject({ id: 1, extra: "x" });
    await sql`alter table t drop column note`.execute(database.db);
    await sql`alter table t add column other integer default 7`.execute(database.db);
    const rows = await all();
    expect(Object.keys(rows[0])).toEqual(["id", "name", "amount", "data", "extra", "other"]);
    expect(rows[1]).toMatchObject({ id: 2, name: "twee", amount: -3, extra: "x", other: 7 });
  });

  it("keeps named columns right across schema changes (they are not checked again after each run)", async () => {
    await sql`create table n (id integer primary key, a text, b text)`.execute(database.db);
    await sql`insert into n values (1, 'x', 'y')`.execute(database.db);
    const named = () => sql.raw("select b, a as alias, id from n order by id").execute(database.db).then((r) => r.rows as Record<string, unknown>[]);
    expect(await named()).toEqual([{ b: "y", alias: "x", id: 1 }]);
    await sql`alter table n add column c text default 'z'`.execute(database.db);
    await sql`alter table n drop column c`.execute(database.db);
    await sql`alter table n add column d integer default 4`.execute(database.db);
    expect(await named()).toEqual([{ b: "y", alias: "x", id: 1 }]);
    const streamed: unknown[] = [];
    for await (const r of database.db.selectFrom("n" as never).select(["b", "id"] as never).stream()) streamed.push(r);
    expect(streamed).toEqual([{ b: "y", id: 1 }]);
    // A column the statement names is gone: SQLite's own error, not rows under stale names.
    await sql`alter table n drop column b`.execute(database.db);
    await expect(named()).rejects.toThrow(/no such column: b/);
  });

  it("tells which statements can change their columns with the schema: wildcards only", () => {
    for (const wild of ["select * from t", 'select "t".* from "t"', "select a, t.* from t", "insert into t (a) values (?) returning *", "select a * 2 from t", "select a /* note */ from t"]) {
      expect(followsSchema(wild), wild).toBe(true);
    }
    for (const named of ["select a, b as c from t", "select count(*) as n from t", "select count( * ) from t where a in (select count(*) from u)", "update t set a = ? where id = ?"]) {
      expect(followsSchema(named), named).toBe(false);
    }
  });

  it("streams the same rows, also right after a schema change", async () => {
    const stream = async () => {
      const out: Record<string, unknown>[] = [];
      for await (const r of database.db.selectFrom("t" as never).selectAll().orderBy("id" as never).stream()) out.push(r as Record<string, unknown>);
      return out;
    };
    expect(await stream()).toEqual(database.native!.prepare("select * from t order by id").all());
    await sql`alter table t add column late text default 'y'`.execute(database.db);
    const after = await stream();
    expect(after[0]).toMatchObject({ id: 1, late: "y" });
    expect(await stream()).toEqual(after);
  });
});
