import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { BACKSTOP_PAGES, type Checkpointer, startBackgroundCheckpoints } from "./checkpoint";
import { type Database, openDatabase } from "./index";

describe("WAL checkpoints in a worker thread (SQLite)", () => {
  const open: { database: Database; checkpoints: Checkpointer | null }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.checkpoints?.stop();
      await o.database.close();
    }
  });

  async function fileDatabase() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-ckpt-"));
    const database = await openDatabase(`sqlite:${path.join(dir, "t.db")}`);
    await sql`create table t (id integer primary key, v text)`.execute(database.db);
    return { database, wal: path.join(dir, "t.db-wal") };
  }

  it("the server's connection no longer checkpoints at 1,000 pages; the worker copies the WAL into the database", async () => {
    const { database, wal } = await fileDatabase();
    // A long interval: the worker checkpoints only when asked, so the test sees what the connection does alone.
    const checkpoints = startBackgroundCheckpoints(database, { intervalMs: 3_600_000 });
    open.push({ database, checkpoints });
    expect(database.native!.pragma("wal_autocheckpoint", { simple: true })).toBe(BACKSTOP_PAGES);
    // ~1,500 pages of WAL in 300 commits: with SQLite's default the connection would have checkpointed
    // inside one of them and restarted the WAL, which then never grows past ~1,000 pages.
    const insert = database.native!.prepare("insert into t (v) values (?)");
    const commit = database.native!.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run("x".repeat(2000));
    });
    for (let k = 0; k < 300; k++) commit(10);
    const pageSize = Number(database.native!.pragma("page_size", { simple: true }));
    expect(fs.statSync(wal).size / (pageSize + 24)).toBeGreaterThan(1200);
    // The worker copies every frame (PASSIVE, nobody reading).
    const r = await checkpoints!.now();
    expect(r.log).toBeGreaterThan(1200);
    expect(r.checkpointed).toBe(r.log);
    // A fresh connection reads every row from the database file alone after a truncating checkpoint.
    database.native!.pragma("wal_checkpoint(TRUNCATE)");
    expect(fs.statSync(wal).size).toBe(0);
    const other = await openDatabase(`sqlite:${database.native!.name}`);
    expect(Number((await sql<{ n: number }>`select count(*) as n from t`.execute(other.db)).rows[0].n)).toBe(3000);
    await other.close();
  });

  it("runs on its own at the interval", async () => {
    const { database } = await fileDatabase();
    const checkpoints = startBackgroundCheckpoints(database, { intervalMs: 25 });
    open.push({ database, checkpoints });
    await sql`insert into t (v) values ('one')`.execute(database.db);
    let r = await checkpoints!.next();
    while (r.log === 0 || r.checkpointed < r.log) r = await checkpoints!.next();
    expect(r.checkpointed).toBe(r.log);
  });

  it("stop() ends the worker and gives the connection SQLite's own checkpoints back; writes keep working", async () => {
    const { database } = await fileDatabase();
    const checkpoints = startBackgroundCheckpoints(database, { intervalMs: 25 });
    open.push({ database, checkpoints: null });
    await checkpoints!.next();
    await checkpoints!.stop();
    expect(database.native!.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    await sql`insert into t (v) values ('after')`.execute(database.db);
    expect(Number((await sql<{ n: number }>`select count(*) as n from t`.execute(database.db)).rows[0].n)).toBe(1);
  });

  it("nothing to do for an in-memory database", async () => {
    const database = await openDatabase("sqlite::memory:");
    open.push({ database, checkpoints: null });
    expect(startBackgroundCheckpoints(database)).toBeNull();
  });
});
