import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl, pgAdminUrl } from "../../../test/support/db";
import { type Database, openDatabase } from ".";
import { batchable } from "./read-batch";

describe("which statements may join a batch of reads (decision 0081)", () => {
  it("takes plain reads with parameters and nothing that writes, locks or needs its own connection", () => {
    expect(batchable('select "id" from "case_file" where "id" = $1', ["x"])).toBe(true);
    expect(batchable("  SELECT count(*) from t where a = $1", [1])).toBe(true);
    // Without parameters: the simple protocol, not pipelined.
    expect(batchable("select 1", [])).toBe(false);
    expect(batchable("select 1", undefined)).toBe(false);
    for (const text of [
      'insert into "t" ("a") values ($1)',
      'update "t" set "a" = $1',
      'delete from "t" where "a" = $1',
      "with locked as (select pg_advisory_xact_lock($1)) insert into t select 1",
      'select * from "t" where "a" = $1 for update',
      'select * from "t" where "a" = $1 FOR NO KEY UPDATE',
      'select * from "t" where "a" = $1 for share',
      "select pg_advisory_lock($1)",
      "select pg_try_advisory_xact_lock($1)",
      "select nextval($1)",
      "select set_config($1, 'x', false)",
      "select pg_sleep($1)",
      "begin",
    ]) {
      expect(batchable(text, [1]), text).toBe(false);
    }
  });
});

describe.runIf(Boolean(pgAdminUrl()))("PostgreSQL: reads of one turn together (decision 0081)", () => {
  let batched: Database;
  let single: Database;
  beforeAll(async () => {
    const url = await freshDatabaseUrl("postgres");
    batched = await openDatabase(url);
    single = await openDatabase(url, { readBatch: false });
    await sql`create table t (id integer primary key, name text, big bigint, flag boolean, note text)`.execute(batched.db);
    await sql`insert into t values (1, 'een', 9007199254740991, true, null), (2, 'twee', 2, false, 'x'), (3, 'drie', 3, null, 'y')`.execute(batched.db);
  });
  afterAll(async () => {
    await batched?.close();
    await single?.close();
  });

  const pidAnd = (db: Database["db"], n: number) => sql<{ pid: number; n: number }>`select pg_backend_pid() as pid, ${n}::int as n`.execute(db).then((r) => r.rows[0]);

  it("runs the reads asked for in one turn on one connection, each with its own result, in order", async () => {
    const rows = await Promise.all(Array.from({ length: 6 }, (_, i) => pidAnd(batched.db, i)));
    expect(rows.map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(rows.map((r) => r.pid)).size).toBe(1);
    // Without batching the same six reads take connections of their own (what this test would see if
    // batching stopped working).
    const apart = await Promise.all(Array.from({ length: 6 }, (_, i) => pidAnd(single.db, i)));
    expect(new Set(apart.map((r) => r.pid)).size).toBeGreaterThan(1);
  });

  it("sends a read alone in its turn on a connection of the main pool, as without batching", async () => {
    // The write's connection (main pool) is free again when the lone read goes out: the same backend.
    const written = await sql<{ pid: number }>`update t set note = note where id = ${1} returning pg_backend_pid() as pid`.execute(batched.db);
    expect((await pidAnd(batched.db, 1)).pid).toBe(written.rows[0].pid);
    const [a, b] = await Promise.all([pidAnd(batched.db, 2), pidAnd(batched.db, 3)]);
    expect(a.pid).toBe(b.pid);
    expect(a.pid).not.toBe(written.rows[0].pid);
  });

  it("holds the reads of later turns while two batches are on their way, then sends them together", async () => {
    const slow = (n: number) => sql<{ pid: number; c: number }>`select pg_backend_pid() as pid, count(*)::int as c from generate_series(1, ${n}::int)`.execute(batched.db).then((r) => r.rows[0]);
    // A later turn: after the batch of the turn before has gone out.
    const turn = () => new Promise((r) => setTimeout(r, 10));
    // The pipelined connection a batch of two gets (a read alone goes on the main pool).
    const [pipelined] = await Promise.all([pidAnd(batched.db, 0), pidAnd(batched.db, 0)]);
    const a = slow(4_000_000);
    await turn();
    const b = slow(4_000_001);
    await turn();
    // Two batches in flight: these two reads, asked for in two later turns, wait and go out as one batch.
    const c = pidAnd(batched.db, 1);
    await turn();
    const d = pidAnd(batched.db, 2);
    const [ra, rb, rc, rd] = await Promise.all([a, b, c, d]);
    expect([ra.c, rb.c, rc.n, rd.n]).toEqual([4_000_000, 4_000_001, 1, 2]);
    expect(ra.pid).not.toBe(rb.pid);
    // Together: one batch of two on the pipelined connection; each alone would have gone on the main pool.
    expect(rc.pid).toBe(rd.pid);
    expect(rc.pid).toBe(pipelined.pid);
    expect([ra.pid, rb.pid]).not.toContain(rc.pid);
  });

  it("gives the rows and types an unbatched read gives (text, integer, bigint, boolean, null, row order)", async () => {
    const read = (db: Database["db"]) =>
      Promise.all([
        db.selectFrom("t" as never).selectAll().where("id" as never, ">", 0 as never).orderBy("id" as never, "desc").execute(),
        sql`select count(*) as c, sum(big) as s from t where id >= ${1}`.execute(db).then((r) => r.rows),
        db.selectFrom("t" as never).selectAll().where("id" as never, "=", 99 as never).execute(),
      ]);
    const together = await read(batched.db);
    expect(together).toEqual(await read(single.db));
    expect(together[0].map((r) => (r as { id: number }).id)).toEqual([3, 2, 1]);
    expect(together[2]).toEqual([]);
  });

  it("fails only the read that fails; the others in its batch get their rows", async () => {
    const results = await Promise.allSettled([pidAnd(batched.db, 1), sql`select 1 / ${0}::int as x`.execute(batched.db), pidAnd(batched.db, 3)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((results[1] as PromiseRejectedResult).reason as { code: string }).code).toBe("22012");
    const [a, , c] = results as PromiseFulfilledResult<{ pid: number; n: number }>[];
    expect([a.value.n, c.value.n]).toEqual([1, 3]);
    expect(a.value.pid).toBe(c.value.pid);
  });

  it("keeps a transaction's statements on its own connection: it reads its own writes, a batch outside does not", async () => {
    await batched.db.transaction().execute(async (trx) => {
      await sql`insert into t values (${10}, 'tien', 10, true, null)`.execute(trx);
      const [inside, outside, mine] = await Promise.all([
        sql<{ name: string }>`select name from t where id = ${10}`.execute(trx),
        sql<{ name: string }>`select name from t where id = ${10}`.execute(batched.db),
        sql<{ pid: number }>`select pg_backend_pid() as pid where ${1}::int = 1`.execute(trx),
      ]);
      expect(inside.rows).toEqual([{ name: "tien" }]);
      expect(outside.rows).toEqual([]);
      expect(mine.rows[0].pid).not.toBe((await pidAnd(batched.db, 0)).pid);
    });
    expect((await sql<{ name: string }>`select name from t where id = ${10}`.execute(batched.db)).rows).toEqual([{ name: "tien" }]);
  });

  it("never batches a write: it runs on a connection of its own, in the same turn as batched reads", async () => {
    const [written, read] = await Promise.all([
      sql<{ pid: number }>`update t set note = ${"z"} where id = ${3} returning pg_backend_pid() as pid`.execute(batched.db),
      pidAnd(batched.db, 7),
    ]);
    expect(written.rows[0].pid).not.toBe(read.pid);
    expect((await sql<{ note: string }>`select note from t where id = ${3}`.execute(batched.db)).rows).toEqual([{ note: "z" }]);
  });

  it("retires a connection PostgreSQL lost: the reads after it run on a new one", async () => {
    const [before] = await Promise.all([pidAnd(batched.db, 0), pidAnd(batched.db, 1)]);
    const admin = new pg.Client({ connectionString: batched.url });
    await admin.connect();
    try {
      expect((await admin.query("select pg_terminate_backend($1) as ok", [before.pid])).rows[0].ok).toBe(true);
      // pg_terminate_backend only signals: wait until the backend has gone (on a busy machine the batch
      // below could otherwise still reach it, and be the one it fails).
      for (let i = 0; (await admin.query("select 1 from pg_stat_activity where pid = $1", [before.pid])).rowCount! > 0; i++) {
        if (i > 500) throw new Error(`backend ${before.pid} still there after pg_terminate_backend`);
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await admin.end();
    }
    // The lost connection fails at most the batch that was on it (a batch of two: the pipelined pool, where
    // the lost backend was); the next reads get a live one.
    await Promise.allSettled([pidAnd(batched.db, 1), pidAnd(batched.db, 1)]);
    const after = await Promise.all([pidAnd(batched.db, 2), pidAnd(batched.db, 3)]);
    expect(after.map((r) => r.n)).toEqual([2, 3]);
    expect(after[0].pid).not.toBe(before.pid);
  });
});
