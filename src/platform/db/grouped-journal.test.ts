import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestContext, sqliteTempFilesOpen, type TestContext } from "../../../test/support/db";
import { groupedTransaction } from "./grouped";
import type { DB } from "./schema";

/**
 * SQLite (issue 9, decision 0084): a savepoint keeps every page its work changes, as it was, to roll back to.
 * With one savepoint per work, the works of a shared transaction filled that journal past 64 KiB and SQLite
 * wrote it to a temporary file: under report submissions, ~80 writes to `/var/tmp/etilqs_*` a submission
 * (strace). The grouped transaction has no savepoints: the same works write nothing before the commit.
 */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await openTestContext("sqlite");
  // A table with three indexes of some size, as a report's: rows with random keys land on many of their pages.
  await sql`create table journal_probe (id text primary key, a text, b text, c text)`.execute(ctx.database.db);
  for (const c of ["a", "b", "c"]) await sql.raw(`create index journal_probe_${c} on journal_probe (${c})`).execute(ctx.database.db);
  await ctx.database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 20_000; i++) await probeRow(trx);
  });
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

const probeRow = (db: Kysely<DB>) => sql`insert into journal_probe values (${randomUUID()}, ${randomUUID()}, ${randomUUID()}, ${randomUUID()})`.execute(db);
const aWork = async (db: Kysely<DB>) => {
  for (let i = 0; i < 5; i++) await probeRow(db);
};
/** Bytes this process has written with system calls so far (every file and socket). */
const written = () => Number(/^wchar: (\d+)$/m.exec(fs.readFileSync("/proc/self/io", "utf8"))![1]);

it("the control: ten works, each in its own savepoint in one transaction, write their journal to a temporary file", async () => {
  expect(ctx.database.url).not.toContain(":memory:");
  let bytes = 0;
  let files: string[] = [];
  await ctx.database.db.transaction().execute(async (trx) => {
    const before = written();
    for (let w = 0; w < 10; w++) {
      await sql`savepoint grouped_work`.execute(trx);
      await aWork(trx);
      await sql`release grouped_work`.execute(trx);
    }
    bytes = written() - before;
    files = sqliteTempFilesOpen();
  });
  expect(files.length).toBeGreaterThan(0);
  expect(bytes).toBeGreaterThan(256 * 1024);
  expect(sqliteTempFilesOpen()).toEqual([]);
});

it("the same ten works grouped: one transaction, no temporary file, nothing written before the commit", async () => {
  let before = 0;
  let bytes = -1;
  let files: string[] = ["not measured"];
  await Promise.all(
    Array.from({ length: 10 }, (_, w) =>
      groupedTransaction(ctx.database, async (trx) => {
        if (w === 0) before = written();
        await aWork(trx);
        if (w === 9) {
          bytes = written() - before;
          files = sqliteTempFilesOpen();
        }
      }),
    ),
  );
  expect(files).toEqual([]);
  // Nothing of the database is written before the commit (the WAL gets the pages then); a margin for any
  // other write of this test process.
  expect(bytes).toBeGreaterThanOrEqual(0);
  expect(bytes).toBeLessThan(16 * 1024);
  const n = await sql<{ n: number }>`select count(*) as n from journal_probe`.execute(ctx.database.db);
  expect(Number(n.rows[0].n)).toBe(20_000 + 50 + 50);
});
