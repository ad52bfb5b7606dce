import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, login } from "../../../test/support/auth";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { buildApp } from "../web/app";
import { type Database, openDatabase } from ".";
import { MAX_TURN_MS, ReadTurns } from "./read-turns";

/** Longer than any pause a loaded test machine makes between two statements of one test. */
const SLOW_MACHINE_MS = 60_000;
const nextMacrotask = () => new Promise((r) => setImmediate(r));
/** Holds the event loop, as a synchronous child process or a long computation does. */
const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const count = async (db: Database["db"]) => Number((await sql<{ n: number }>`select count(*) as n from t`.execute(db)).rows[0].n);

describe("read turns on SQLite's connection (decision 0076)", () => {
  let database: Database;
  let other: SQLite.Database;
  let dir: string;
  let turns: ReadTurns;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-turns-"));
    const file = path.join(dir, "t.db");
    database = await openDatabase(`sqlite:${file}`);
    await sql`create table t (id integer primary key, v text not null)`.execute(database.db);
    await nextMacrotask();
    // Another process, as the CLI is: its own connection to the same file.
    other = new SQLite(file);
    other.pragma("busy_timeout = 5000");
    turns = database.turns!;
    // The rules other than the age bound, whatever the machine's load: a busy CI runner can take 2 ms between two awaits.
    turns.maxMs = SLOW_MACHINE_MS;
  });
  afterAll(async () => {
    other?.close();
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("share one read transaction among reads that follow each other, ended when the event loop moves on", async () => {
    await nextMacrotask();
    const before = { turns: turns.turns, reads: turns.reads };
    await Promise.all([count(database.db), count(database.db), database.db.selectFrom("t" as never).selectAll().execute()]);
    await count(database.db);
    expect(turns.reads - before.reads).toBe(4);
    expect(turns.turns - before.turns).toBe(1);
    expect(turns.open).toBe(true);
    expect(database.native!.inTransaction).toBe(true);
    await nextMacrotask();
    expect(turns.open).toBe(false);
    expect(database.native!.inTransaction).toBe(false);
  });

  it("end before a write, which commits at once: another connection sees it before the turn would have ended", async () => {
    await nextMacrotask();
    await count(database.db);
    expect(turns.open).toBe(true);
    await sql`insert into t (id, v) values (1, 'een')`.execute(database.db);
    expect(turns.open).toBe(false);
    // Committed: visible to another connection in this same macrotask.
    expect(other.prepare("select v from t where id = 1").pluck().get()).toBe("een");
    // insert ... returning reads rows back but writes: never inside a turn.
    await count(database.db);
    const back = await sql<{ id: number }>`insert into t (id, v) values (2, 'twee') returning id`.execute(database.db);
    expect(back.rows).toEqual([{ id: 2 }]);
    expect(turns.open).toBe(false);
    expect(other.prepare("select count(*) from t").pluck().get()).toBe(2);
  });

  it("end before a transaction of the app's, which then runs as before", async () => {
    await nextMacrotask();
    await count(database.db);
    expect(turns.open).toBe(true);
    await database.db.transaction().execute(async (trx) => {
      await sql`insert into t (id, v) values (3, 'drie')`.execute(trx);
      // Reads inside the app's transaction are its own: no turn begins there.
      expect(await count(trx)).toBe(3);
      expect(turns.open).toBe(false);
    });
    expect(other.prepare("select count(*) from t").pluck().get()).toBe(3);
    // A failed transaction rolls back as before.
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into t (id, v) values (4, 'vier')`.execute(trx);
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(await count(database.db)).toBe(3);
  });

  it("read the database as it was at the turn's first read, and as it is once the turn ended", async () => {
    await nextMacrotask();
    expect(await count(database.db)).toBe(3);
    other.prepare("insert into t (id, v) values (5, 'vijf')").run();
    // Same turn: the snapshot of its first read.
    expect(await count(database.db)).toBe(3);
    turns.end();
    expect(await count(database.db)).toBe(4);
    await nextMacrotask();
    other.prepare("delete from t where id = 5").run();
    expect(await count(database.db)).toBe(3);
  });

  it(`never give a read a snapshot older than ${MAX_TURN_MS} ms, also when the event loop was held up (a synchronous child process)`, async () => {
    await nextMacrotask();
    turns.maxMs = MAX_TURN_MS;
    const first = turns.turns;
    expect(await count(database.db)).toBe(3);
    other.prepare("insert into t (id, v) values (7, 'zeven')").run();
    spin(MAX_TURN_MS + 1);
    // The turn is older than the limit: this read begins a new one, and sees the other process's row.
    expect(await count(database.db)).toBe(4);
    expect(turns.turns - first).toBe(2);
    // Queries that keep coming without the event loop moving on: a new turn every MAX_TURN_MS.
    for (let i = 0; i < 5; i++) {
      spin(MAX_TURN_MS + 1);
      await count(database.db);
    }
    expect(turns.turns - first).toBe(7);
    turns.maxMs = SLOW_MACHINE_MS;
    other.prepare("delete from t where id = 7").run();
  });

  it("keep working after a failing read inside a turn", async () => {
    await nextMacrotask();
    await count(database.db);
    await expect(sql`select json('{niet json')`.execute(database.db)).rejects.toThrow(/malformed JSON/);
    expect(await count(database.db)).toBe(3);
    await sql`insert into t (id, v) values (6, 'zes')`.execute(database.db);
    expect(other.prepare("select count(*) from t").pluck().get()).toBe(4);
  });

  it("stay open when their commit fails (a statement still running), and end at the next try", async () => {
    await nextMacrotask();
    await count(database.db);
    const running = database.native!.prepare("select id from t").iterate();
    running.next();
    // better-sqlite3 refuses any other statement while one is being iterated (SQLite itself would refuse the commit).
    expect(() => turns.end()).toThrow(/busy executing a query|statements in progress/);
    expect(turns.open).toBe(true);
    running.return?.();
    turns.end();
    expect(turns.open).toBe(false);
    expect(database.native!.inTransaction).toBe(false);
  });

  it("share only plain read-only queries", () => {
    const native = database.native!;
    const may = (text: string) => ReadTurns.mayShare(native.prepare(text), text);
    expect(may("select v from t")).toBe(true);
    expect(may("  with x as (select 1 as n) select n from x")).toBe(true);
    expect(may("insert into t (id, v) values (9, 'x') returning id")).toBe(false);
    expect(may("with x as (select 9 as id) insert into t (id, v) select id, 'x' from x")).toBe(false);
    expect(may("begin")).toBe(false);
    expect(may("pragma schema_version")).toBe(false);
    expect(may("update t set v = v")).toBe(false);
  });

  it("close with a turn open", async () => {
    const file = path.join(dir, "close.db");
    const d = await openDatabase(`sqlite:${file}`);
    d.turns!.maxMs = SLOW_MACHINE_MS;
    await sql`select 1`.execute(d.db);
    expect(d.turns!.open).toBe(true);
    await d.close();
    expect(d.native!.open).toBe(false);
  });
});

describe("a request and the read turn before it (decision 0076)", () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let other: SQLite.Database;
  beforeAll(async () => {
    ctx = await openTestContext("sqlite");
    app = await buildApp(ctx, { logger: false });
    other = new SQLite(ctx.database.native!.name);
    other.pragma("busy_timeout = 5000");
    // Only the rule under test ends the turn: not the age bound, which a loaded CI runner can reach before the request.
    ctx.database.turns!.maxMs = SLOW_MACHINE_MS;
  }, 60_000);
  afterAll(async () => {
    other?.close();
    await app?.close();
    await ctx?.close();
  });

  it("sees an account disabled by another process just before it, even while a turn is open", async () => {
    const user = await createUser(ctx, { platformRoles: ["regional_analyst"] });
    const session = await login(app, user);
    expect((await app.inject({ method: "GET", url: "/monitoring", headers: session.headers() })).statusCode).toBe(200);
    await nextMacrotask();
    // A read of this process opens a turn; then another process (the CLI) disables the account.
    await ctx.database.db.selectFrom("app_user").select("status").where("id", "=", user.id).execute();
    expect(ctx.database.turns!.open).toBe(true);
    other.prepare("update app_user set status = 'disabled' where id = ?").run(user.id);
    const res = await app.inject({ method: "GET", url: "/monitoring", headers: session.headers() });
    // Not served from the older snapshot: the session ends and the page asks to log in.
    expect(res.statusCode).not.toBe(200);
    expect([302, 303, 401]).toContain(res.statusCode);
  });
});
