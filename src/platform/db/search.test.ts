import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect, pgAdminUrl } from "../../../test/support/db";
import { type Database, openDatabase } from ".";
import { containsInsensitive } from "./search";

interface Probe {
  search_probe: { id: number; name: string };
}

const NAMES = ["Émile Verhaegen", "EMILE PEETERS", "Émilie", "100% Jeugd", "100 procent", "a_b vzw", "axb vzw", "map\\sub", "mapXsub"];

async function seed(db: Kysely<Probe>) {
  await sql`create table search_probe (id integer primary key, name text not null)`.execute(db);
  await db
    .insertInto("search_probe")
    .values(NAMES.map((name, id) => ({ id, name })))
    .execute();
}

const found = (db: Kysely<Probe>, term: string) =>
  db
    .selectFrom("search_probe")
    .select("name")
    .where((eb) => containsInsensitive(eb, "name", term))
    .orderBy("id")
    .execute()
    .then((rows) => rows.map((r) => r.name));

describeEachDialect("containsInsensitive", (ctx, dialect) => {
  const db = () => ctx().database.db as unknown as Kysely<Probe>;
  // The test cluster is initialised --no-locale, where PostgreSQL's lower() folds A-Z only; a deployment's
  // database has a UTF-8 locale. The accented case runs on PostgreSQL in a database created with one.
  let utf8: Database | undefined;
  let utf8Name = "";
  beforeAll(async () => {
    await seed(db());
    if (dialect !== "postgres") return;
    utf8Name = `t_utf8_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: pgAdminUrl() });
    await admin.connect();
    await admin.query(`create database ${utf8Name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C.utf8'`);
    await admin.end();
    utf8 = await openDatabase(pgAdminUrl().replace(/\/postgres$/, `/${utf8Name}`));
    await seed(utf8.db as unknown as Kysely<Probe>);
  }, 60_000);
  afterAll(async () => {
    await utf8?.close();
  });

  it("matches part of the text whatever the case of either side", async () => {
    expect(await found(db(), "peeters")).toEqual(["EMILE PEETERS"]);
    expect(await found(db(), "VERHAEG")).toEqual(["Émile Verhaegen"]);
    expect(await found(db(), "nobody")).toEqual([]);
  });

  it("finds 'Émile' for 'émile' and 'ÉMILE', and not the one without the accent", async () => {
    const accented = (utf8?.db ?? db()) as Kysely<Probe>;
    expect(await found(accented, "émile")).toEqual(["Émile Verhaegen"]);
    expect(await found(accented, "ÉMILE")).toEqual(["Émile Verhaegen"]);
    expect(await found(accented, "ÉMIL")).toEqual(["Émile Verhaegen", "Émilie"]);
    expect(await found(accented, "emile")).toEqual(["EMILE PEETERS"]);
  });

  it("treats %, _ and \\ as the characters typed, not as wildcards", async () => {
    expect(await found(db(), "100%")).toEqual(["100% Jeugd"]);
    expect(await found(db(), "%")).toEqual(["100% Jeugd"]);
    expect(await found(db(), "a_b")).toEqual(["a_b vzw"]);
    expect(await found(db(), "_")).toEqual(["a_b vzw"]);
    expect(await found(db(), "p\\s")).toEqual(["map\\sub"]);
    expect(await found(db(), "\\")).toEqual(["map\\sub"]);
  });
});
