import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from ".";
import { HandoverLock } from "./sqlite-queue";

const settle = () => new Promise((r) => setImmediate(r));

describe("HandoverLock (the SQLite connection's queue)", () => {
  it("is taken at once when free, then handed to one waiter at a time in arrival order", async () => {
    const lock = new HandoverLock();
    await lock.lock();
    const got: number[] = [];
    const waiters = [1, 2, 3].map((n) => lock.lock().then(() => got.push(n)));
    await settle();
    expect(got).toEqual([]);
    expect(lock.waiting).toBe(3);
    lock.unlock();
    await settle();
    // One release wakes exactly one waiter, the first to come.
    expect(got).toEqual([1]);
    expect(lock.waiting).toBe(2);
    lock.unlock();
    lock.unlock();
    await Promise.all(waiters);
    expect(got).toEqual([1, 2, 3]);
    // The last holder releases: free again, taken at once.
    lock.unlock();
    let taken = false;
    void lock.lock().then(() => {
      taken = true;
    });
    await settle();
    expect(taken).toBe(true);
  });

  it("keeps the order over thousands of waiters", async () => {
    const lock = new HandoverLock();
    await lock.lock();
    const got: number[] = [];
    const all = Array.from({ length: 5000 }, (_, i) =>
      lock.lock().then(() => {
        got.push(i);
        // Each holder releases in a later turn, as a query does.
        setImmediate(() => lock.unlock());
      }),
    );
    lock.unlock();
    await Promise.all(all);
    expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(lock.waiting).toBe(0);
  });
});

describe("SQLite queries waiting behind a transaction (QueuedSqliteDialect)", () => {
  let database: Database;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-queue-"));
    database = await openDatabase(`sqlite:${path.join(dir, "q.db")}`);
    await sql`create table t (id integer primary key, v text not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("run after the transaction that holds the connection, in the order they were asked, and see its rows", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const order: number[] = [];
    const tx = database.db.transaction().execute(async (trx) => {
      await sql`insert into t (id, v) values (1, 'eerste')`.execute(trx);
      // The transaction keeps the connection across an await, as the audit group commit does.
      await held;
      await sql`insert into t (id, v) values (2, 'tweede')`.execute(trx);
    });
    await settle();
    const reads = Array.from({ length: 40 }, (_, i) =>
      sql<{ n: number }>`select count(*) as n from t`.execute(database.db).then((r) => {
        order.push(i);
        return Number(r.rows[0]?.n);
      }),
    );
    await settle();
    expect(order).toEqual([]);
    release();
    await tx;
    expect(await Promise.all(reads)).toEqual(Array(40).fill(2));
    expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("a failing query gives the connection back", async () => {
    await expect(sql`select * from no_such_table`.execute(database.db)).rejects.toThrow(/no such table/);
    const r = await sql<{ v: string }>`select v from t order by id`.execute(database.db);
    expect(r.rows.map((x) => x.v)).toEqual(["eerste", "tweede"]);
  });
});
