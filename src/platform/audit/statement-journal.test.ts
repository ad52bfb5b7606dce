import { randomUUID } from "node:crypto";
import { CompiledQuery } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestContext, queriesOf, sqliteTempFilesOpen, type TestContext } from "../../../test/support/db";
import { KEPT_STATEMENT_MAX_CHARS } from "../db";
import { audit, verifyAuditChain } from ".";

/**
 * SQLite (issue 9, session 25): a multi-row insert inside a transaction keeps a statement journal, the
 * pages it changes as they were, so that a failing row can undo the rows before it. Past 64 KiB that
 * journal goes to a temporary file: the audit append of a case page view opened, wrote, closed and
 * unlinked one on every group commit (strace: one `/var/tmp/etilqs_*` a commit). Its insert is
 * `insert or fail`: a failure stops the statement and the caller's transaction is rolled back as a whole,
 * so no statement journal is kept. SQLite's temporary files are unlinked as soon as they are opened; an
 * open one shows in /proc/self/fd as "... (deleted)" until the transaction ends.
 */
let ctx: TestContext;
const who = { userId: "u-journal", clientAddress: "127.0.0.1", correlationId: "c-journal" };

beforeAll(async () => {
  ctx = await openTestContext("sqlite");
  // An index of some size, as in a running system: rows spread over its existing pages are journaled.
  await audit.recordMany(ctx, who, Array.from({ length: 6000 }, () => ({ action: "fill", resourceType: "thing", resourceId: randomUUID(), outcome: "allowed" as const })));
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

const events = (n: number) => Array.from({ length: n }, () => ({ action: "journal.test", resourceType: "thing", resourceId: randomUUID(), outcome: "allowed" as const }));

it("the control: a plain multi-row insert of 200 entries in a transaction spills its statement journal to a temporary file", async () => {
  expect(ctx.database.dialect).toBe("sqlite");
  expect(ctx.database.url).not.toContain(":memory:");
  const top = Number((await ctx.database.db.selectFrom("audit_entry").select((eb) => eb.fn.max("seq").as("top")).executeTakeFirstOrThrow()).top);
  const rows = events(200).map((e, i) => [top + 1 + i, new Date().toISOString(), "u", null, null, e.action, e.resourceType, e.resourceId, e.outcome, null, null, "p", "h"]);
  const text = `insert into audit_entry (seq, at, actor_id, actor_role, livc_id, action, resource_type, resource_id, outcome, client_address, correlation_id, prev_hash, hash) values ${rows.map(() => `(${Array(13).fill("?").join(", ")})`).join(", ")}`;
  let during: string[] = [];
  await expect(
    ctx.database.db.transaction().execute(async (trx) => {
      await trx.executeQuery(CompiledQuery.raw(text, rows.flat()));
      during = sqliteTempFilesOpen();
      throw new Error("roll back the control");
    }),
  ).rejects.toThrow("roll back the control");
  expect(during.length).toBeGreaterThan(0);
  expect(sqliteTempFilesOpen()).toEqual([]);
});

it("an audit append of 200 entries in the caller's transaction opens no temporary file, and the chain holds", async () => {
  let during: string[] = ["not measured"];
  await ctx.database.db.transaction().execute(async (trx) => {
    await audit.recordMany(ctx, who, events(200), { db: trx });
    during = sqliteTempFilesOpen();
  });
  expect(during).toEqual([]);
  expect(await verifyAuditChain(ctx.database)).toMatchObject({ ok: true, entries: 6200 });
});

it("a group commit of 150 entries is written in statements SQLite keeps prepared (at most 64 rows, within the kept length)", async () => {
  const seen = await queriesOf(ctx.database.db, () => Promise.all(Array.from({ length: 30 }, () => audit.recordMany(ctx, who, events(5)))));
  const inserts = seen.filter((q) => q.sql.startsWith("insert or fail into audit_entry"));
  // 150 entries: 64 + 64 + 22 rows, 13 values a row.
  expect(inserts.map((q) => q.parameters.length / 13).sort((a, b) => a - b)).toEqual([22, 64, 64]);
  for (const q of inserts) expect(q.sql.length).toBeLessThanOrEqual(KEPT_STATEMENT_MAX_CHARS);
  expect(await verifyAuditChain(ctx.database)).toMatchObject({ ok: true, entries: 6350 });
});
