import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { groupedStats, groupedTransaction } from "./grouped";
import { sqlitePath } from "./index";

const keysLike = async (db: Parameters<typeof groupedTransaction>[0]["db"], prefix: string) =>
  (await db.selectFrom("app_meta").select("key").where("key", "like", `${prefix}%`).orderBy("key").execute()).map((r) => r.key);

describeEachDialect("grouped write transactions", (ctx, dialect) => {
  it("commits every work of a burst, each with its own result", async () => {
    const db = ctx().database.db;
    const before = groupedStats(ctx().database);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        groupedTransaction(ctx().database, async (trx) => {
          await trx.insertInto("app_meta").values({ key: `burst-${String(i).padStart(2, "0")}`, value: String(i) }).execute();
          await trx.insertInto("app_meta").values({ key: `burst-${String(i).padStart(2, "0")}-b`, value: String(i) }).execute();
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(await keysLike(db, "burst-")).toHaveLength(40);
    const after = groupedStats(ctx().database);
    // The burst arrived in one turn of the event loop: it shared one commit, not twenty.
    expect(after.works - before.works).toBe(20);
    expect(after.transactions - before.transactions).toBe(1);
  });

  it("rolls back a failing work alone: its own writes go, the others' stay, and only its caller hears the error", async () => {
    const db = ctx().database.db;
    await db.insertInto("app_meta").values({ key: "iso-existing", value: "before" }).execute();
    const outcomes = await Promise.allSettled(
      ["ok-1", "fails", "ok-2", "duplicate", "ok-3"].map((name) =>
        groupedTransaction(ctx().database, async (trx) => {
          await trx.insertInto("app_meta").values({ key: `iso-${name}`, value: "first write" }).execute();
          if (name === "fails") throw new Error("refused by the work itself");
          // A constraint error from the database, after a write that must be undone with it.
          if (name === "duplicate") await trx.insertInto("app_meta").values({ key: "iso-existing", value: "again" }).execute();
          return name;
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe("refused by the work itself");
    expect(await keysLike(db, "iso-")).toEqual(["iso-existing", "iso-ok-1", "iso-ok-2", "iso-ok-3"]);
    const kept = await db.selectFrom("app_meta").select("value").where("key", "=", "iso-existing").executeTakeFirstOrThrow();
    expect(kept.value).toBe("before");
  });

  it("settles a caller only when its change is visible to another connection (committed), and keeps working after", async () => {
    const database = ctx().database;
    const seen: boolean[] = [];
    const other = dialect === "sqlite" ? new SQLite(sqlitePath(database.url), { readonly: true }) : null;
    const visible = async (key: string) =>
      other
        ? (other.prepare("select count(*) as n from app_meta where key = ?").get(key) as { n: number }).n === 1
        : // PostgreSQL: the pool's other connection
          Number((await sql<{ n: string }>`select count(*) as n from app_meta where key = ${key}`.execute(database.db)).rows[0].n) === 1;
    try {
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          groupedTransaction(database, async (trx) => {
            await trx.insertInto("app_meta").values({ key: `seen-${i}`, value: "x" }).execute();
          }).then(async () => {
            seen.push(await visible(`seen-${i}`));
          }),
        ),
      );
      expect(seen).toEqual([true, true, true, true, true]);
      // A later work runs in a new shared transaction.
      await groupedTransaction(database, async (trx) => trx.insertInto("app_meta").values({ key: "seen-later", value: "x" }).execute());
      expect(await visible("seen-later")).toBe(true);
    } finally {
      other?.close();
    }
  });

  it("runs the works before a failing one again, in a new transaction: each caller gets the result of the run that committed", async () => {
    const database = ctx().database;
    const runs = new Map<string, number>();
    const before = groupedStats(database);
    const outcomes = await Promise.allSettled(
      ["again-1", "again-fails", "again-2"].map((name) =>
        groupedTransaction(database, async (trx) => {
          const run = (runs.get(name) ?? 0) + 1;
          runs.set(name, run);
          await trx.insertInto("app_meta").values({ key: name, value: String(run) }).execute();
          if (name === "again-fails") throw new Error("refused");
          return run;
        }),
      ),
    );
    // The first transaction held all three and was rolled back at the failing one; the second held the other two.
    expect(Object.fromEntries(runs)).toEqual({ "again-1": 2, "again-fails": 1, "again-2": 1 });
    expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value : "rejected"))).toEqual([2, "rejected", 1]);
    const rows = await database.db.selectFrom("app_meta").select(["key", "value"]).where("key", "like", "again-%").orderBy("key").execute();
    expect(rows).toEqual([
      { key: "again-1", value: "2" },
      { key: "again-2", value: "1" },
    ]);
    const after = groupedStats(database);
    expect(after.transactions - before.transactions).toBe(2);
  });

  it("rejects every caller of a batch whose shared transaction cannot commit, and keeps none of it", async () => {
    const database = ctx().database;
    // A deferred foreign key is checked at COMMIT: the works all run, then the commit fails.
    const deferred = async (trx: Parameters<Parameters<typeof groupedTransaction>[1]>[0]) => {
      await sql`create temporary table grouped_parent (id integer primary key)`.execute(trx);
      await sql`create temporary table grouped_child (parent integer references grouped_parent (id) deferrable initially deferred)`.execute(trx);
      await sql`insert into grouped_child (parent) values (1)`.execute(trx);
    };
    const outcomes = await Promise.allSettled([
      groupedTransaction(database, async (trx) => trx.insertInto("app_meta").values({ key: "whole-1", value: "x" }).execute()),
      groupedTransaction(database, deferred),
      groupedTransaction(database, async (trx) => trx.insertInto("app_meta").values({ key: "whole-3", value: "x" }).execute()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    const reasons = outcomes.map((o) => String((o as PromiseRejectedResult).reason?.message ?? o));
    expect(reasons.every((r) => /foreign key/i.test(r))).toBe(true);
    expect(await keysLike(database.db, "whole-")).toEqual([]);
    // The queue is free again afterwards.
    await groupedTransaction(database, async (trx) => trx.insertInto("app_meta").values({ key: "whole-after", value: "x" }).execute());
    expect(await keysLike(database.db, "whole-")).toEqual(["whole-after"]);
  });

  it("a work that ends the shared transaction under the batch is rejected alone; the others commit in a new one", async () => {
    const database = ctx().database;
    const outcomes = await Promise.allSettled([
      groupedTransaction(database, async (trx) => trx.insertInto("app_meta").values({ key: "ended-1", value: "x" }).execute()),
      groupedTransaction(database, async (trx) => {
        await trx.insertInto("app_meta").values({ key: "ended-2", value: "x" }).execute();
        await sql`rollback`.execute(trx);
        throw new Error("the transaction was ended under the batch");
      }),
      groupedTransaction(database, async (trx) => trx.insertInto("app_meta").values({ key: "ended-3", value: "x" }).execute()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe("the transaction was ended under the batch");
    expect(await keysLike(database.db, "ended-")).toEqual(["ended-1", "ended-3"]);
  });
});
