import { sql } from "kysely";
import { beforeEach, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { groupedTransaction } from "../db/grouped";
import { audit, verifyAuditChain } from ".";

/**
 * Decision 0091: the entries recorded inside a shared transaction (db/grouped.ts) are written in one append at its
 * end, before its COMMIT: in the order recorded, with the change they audit, and gone with a work that is undone.
 */
describeEachDialect("audit entries of a shared transaction", (ctx, dialect) => {
  const db = () => ctx().database.db;
  const who = { userId: "u-1", clientAddress: "127.0.0.1", correlationId: "c-1" };
  const entries = async () => (await db().selectFrom("audit_entry").select(["seq", "resource_id"]).orderBy("seq").execute()).map((r) => [Number(r.seq), r.resource_id]);

  beforeEach(async () => {
    await db().deleteFrom("audit_entry").execute();
    await db().deleteFrom("app_meta").where("key", "like", "ga-%").execute();
  });

  it("writes the works' entries at the end of the batch, in the order recorded, a chain that verifies", async () => {
    const inTable: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        groupedTransaction(ctx().database, async (trx) => {
          await audit.recordFor(ctx(), who, { action: "test.write", resourceType: "thing", resourceId: `${i}.a`, outcome: "success" }, { db: trx });
          await trx.insertInto("app_meta").values({ key: `ga-${i}`, value: "x" }).execute();
          await audit.recordMany(ctx(), who, ["b", "c"].map((k) => ({ action: "test.write", resourceType: "thing", resourceId: `${i}.${k}`, outcome: "success" as const })), { db: trx });
          // Not yet written while the batch's works run, not even in its own transaction.
          inTable.push(Number((await trx.selectFrom("audit_entry").select((e) => e.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n));
        }),
      ),
    );
    expect(inTable).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await entries()).toEqual(Array.from({ length: 6 }, (_, i) => ["a", "b", "c"].map((k) => `${i}.${k}`)).flat().map((id, n) => [n + 1, id]));
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 18 });
  });

  it("a work that is undone takes its entries with it; the others' are written once, with their changes", async () => {
    const outcomes = await Promise.allSettled(
      ["one", "fails", "two"].map((name) =>
        groupedTransaction(ctx().database, async (trx) => {
          await trx.insertInto("app_meta").values({ key: `ga-${name}`, value: "x" }).execute();
          await audit.recordFor(ctx(), who, { action: "test.write", resourceType: "thing", resourceId: name, outcome: "success" }, { db: trx });
          if (name === "fails") throw new Error("refused by the work itself");
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    // "one" ran twice (before the failing work, then again in a new transaction): its entry is there once.
    expect(await entries()).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
    expect((await db().selectFrom("app_meta").select("key").where("key", "like", "ga-%").orderBy("key").execute()).map((r) => r.key)).toEqual(["ga-one", "ga-two"]);
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 2 });
  });

  it("entries recorded outside a shared transaction are written at once, as before", async () => {
    await db()
      .transaction()
      .execute(async (trx) => {
        await audit.recordFor(ctx(), who, { action: "test.write", resourceType: "thing", resourceId: "plain", outcome: "success" }, { db: trx });
        expect(Number((await trx.selectFrom("audit_entry").select((e) => e.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n)).toBe(1);
      });
    expect(await entries()).toEqual([[1, "plain"]]);
  });

  if (dialect === "postgres")
    it("PostgreSQL: the chain's lock is not held while the batch's works run, so a read's entry is not held up behind them", async () => {
      // Advisory locks held in this test's database (the run's other files have databases of their own in the same
      // cluster) by any other session than the one asking.
      const locksHeld = async () =>
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from pg_locks where locktype = 'advisory' and granted and pid <> pg_backend_pid()
              and database = (select oid from pg_database where datname = current_database())`.execute(db())
          ).rows[0].n,
        );
      const paused = () => {
        let release = () => {};
        let reached = () => {};
        const gate = new Promise<void>((r) => {
          release = r;
        });
        const there = new Promise<void>((r) => {
          reached = r;
        });
        return { gate, there, release: () => release(), reached: () => reached() };
      };

      // The control: a transaction of its own appends at once and holds the lock to its end.
      const control = paused();
      const plain = db()
        .transaction()
        .execute(async (trx) => {
          await audit.recordFor(ctx(), who, { action: "test.write", resourceType: "thing", resourceId: "plain", outcome: "success" }, { db: trx });
          control.reached();
          await control.gate;
        });
      await control.there;
      expect(await locksHeld()).toBe(1);
      control.release();
      await plain;

      const batch = paused();
      const shared = groupedTransaction(ctx().database, async (trx) => {
        await audit.recordFor(ctx(), who, { action: "test.write", resourceType: "thing", resourceId: "shared", outcome: "success" }, { db: trx });
        batch.reached();
        await batch.gate;
      });
      await batch.there;
      expect(await locksHeld()).toBe(0);
      // A read's entry (the group commit, no transaction of the caller's) goes in while the batch is still open.
      await audit.recordFor(ctx(), who, { action: "test.read", resourceType: "thing", resourceId: "read", outcome: "allowed" });
      batch.release();
      await shared;
      expect(await entries()).toEqual([
        [1, "plain"],
        [2, "read"],
        [3, "shared"],
      ]);
      expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 3 });
    });
});
