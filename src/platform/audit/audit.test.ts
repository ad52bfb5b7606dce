import { spawnSync } from "node:child_process";
import path from "node:path";
import { sql } from "kysely";
import { beforeEach, expect, it } from "vitest";
import { describeEachDialect, queriesOf } from "../../../test/support/db";
import { openDatabase } from "../db";
import { audit, verifyAuditChain } from ".";
import { entryHash, GENESIS_HASH } from "./chain";

const ROOT = path.resolve(import.meta.dirname, "../../..");

describeEachDialect("audit log: hash chain, tampering, concurrency", (ctx, dialect) => {
  const db = () => ctx().database.db;
  const who = { userId: "u-1", clientAddress: "127.0.0.1", correlationId: "c-1" };

  beforeEach(async () => {
    await db().deleteFrom("audit_entry").execute();
  });

  async function fill(n: number) {
    for (let i = 0; i < n; i++) {
      await audit.recordFor(ctx(), who, { action: "test.event", resourceType: "thing", resourceId: `t-${i}`, livcId: "livc-1", outcome: i % 3 === 0 ? "denied" : "allowed" });
    }
  }

  it("appends entries with gap-free seq, each linked to the previous hash", async () => {
    await fill(5);
    const rows = await db().selectFrom("audit_entry").selectAll().orderBy("seq").execute();
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 5 });
  });

  it("detects a changed entry", async () => {
    await fill(6);
    await db().updateTable("audit_entry").set({ outcome: "allowed" }).where("seq", "=", 4).execute();
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it("detects a changed entry whose own hash was recomputed (the next link breaks)", async () => {
    await fill(6);
    const row = await db().selectFrom("audit_entry").selectAll().where("seq", "=", 3).executeTakeFirstOrThrow();
    const forged = { ...row, seq: 3, actor_id: "someone-else" };
    await db().updateTable("audit_entry").set({ actor_id: "someone-else", hash: entryHash(forged) }).where("seq", "=", 3).execute();
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it("detects a deleted entry", async () => {
    await fill(6);
    await db().deleteFrom("audit_entry").where("seq", "=", 2).execute();
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it("detects an inserted entry (renumbered tail)", async () => {
    await fill(5);
    // Shift entries 3..5 up by one and slip a forged entry in as 3, with a correctly computed own hash.
    await sql`update audit_entry set seq = seq + 100 where seq >= 3`.execute(db());
    await sql`update audit_entry set seq = seq - 99 where seq >= 103`.execute(db());
    const prev = await db().selectFrom("audit_entry").select("hash").where("seq", "=", 2).executeTakeFirstOrThrow();
    const forged = { seq: 3, at: new Date().toISOString(), actor_id: "x", actor_role: null, livc_id: null, action: "forged", resource_type: "thing", resource_id: null, outcome: "allowed" as const, client_address: null, correlation_id: null, prev_hash: prev.hash };
    await db().insertInto("audit_entry").values({ ...forged, hash: entryHash(forged) }).execute();
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it("detects reordered entries", async () => {
    await fill(6);
    await sql`update audit_entry set seq = 100 where seq = 2`.execute(db());
    await sql`update audit_entry set seq = 2 where seq = 5`.execute(db());
    await sql`update audit_entry set seq = 5 where seq = 100`.execute(db());
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it("keeps one valid chain with concurrent writers on two connections to the same database", async () => {
    // SQLite has one writer per file by design (an app instance per file); PostgreSQL gets a second pool,
    // as a second app instance would have.
    const second = dialect === "postgres" ? await openDatabase(ctx().database.url) : ctx().database;
    try {
      const writers = [ctx().database, second].flatMap((database) =>
        Array.from({ length: 40 }, (_, i) => audit.recordFor({ database }, who, { action: "concurrent", resourceType: "thing", resourceId: String(i), outcome: "allowed" })),
      );
      await Promise.all(writers);
      expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 80 });
    } finally {
      if (second !== ctx().database) await second.close();
    }
  });

  it("group commit: concurrent appends share writes, each call's entries together, in call order", async () => {
    const ids = (i: number) => (i % 4 === 0 ? [0, 1, 2].map((k) => `${i}.${k}`) : [String(i)]);
    const calls = Array.from({ length: 120 }, (_, i) =>
      i % 4 === 0
        ? audit.recordMany(ctx(), who, ids(i).map((id) => ({ action: "many", resourceType: "thing", resourceId: id, outcome: "allowed" as const })))
        : audit.recordFor(ctx(), who, { action: "one", resourceType: "thing", resourceId: String(i), outcome: "allowed" }),
    );
    await Promise.all(calls);
    // 90 single entries + 30 lists of 3, gap-free, in call order.
    const rows = await db().selectFrom("audit_entry").select(["seq", "resource_id"]).orderBy("seq").execute();
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    expect(rows.map((r) => r.resource_id)).toEqual(Array.from({ length: 120 }, (_, i) => ids(i)).flat());
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 180 });
  });

  it("rolls back with the caller's transaction", async () => {
    await db()
      .transaction()
      .execute(async (trx) => {
        await audit.recordFor(ctx(), who, { action: "in.tx", resourceType: "thing", outcome: "allowed" }, { db: trx });
        throw new Error("abort");
      })
      .catch(() => {});
    await audit.recordFor(ctx(), who, { action: "after", resourceType: "thing", outcome: "allowed" });
    const rows = await db().selectFrom("audit_entry").select(["seq", "action"]).execute();
    expect(rows.map((r) => r.action)).toEqual(["after"]);
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 1 });
  });

  // Decision 0080: on PostgreSQL a group commit on the head this process knows is one statement; anyone
  // else's append in between sends it the full path (lock, head, insert, in a transaction).
  const seqsNow = async () => (await db().selectFrom("audit_entry").select("seq").orderBy("seq").execute()).map((r) => Number(r.seq));
  const event = (id: string) => ({ action: "fast", resourceType: "thing", resourceId: id, outcome: "allowed" as const });
  if (dialect === "postgres")
    it("PostgreSQL: one statement on the known head; after another instance's append, the full path, one chain", async () => {
      await audit.recordFor(ctx(), who, event("a1"));
      const one = await queriesOf(db(), () => audit.recordFor(ctx(), who, event("a2")));
      expect(one).toHaveLength(1);
      expect(one[0].sql).toMatch(/^with locked as \(select pg_advisory_xact_lock/);
      // A second app instance (its own pool, its own known head) appends.
      const other = await openDatabase(ctx().database.url);
      try {
        await audit.recordFor({ database: other }, who, event("b1"));
      } finally {
        await other.close();
      }
      // The known head is stale: the one statement inserts nothing, the full path reads the head under the lock.
      const next = await queriesOf(db(), () => audit.recordFor(ctx(), who, event("a3")));
      expect(next[0].sql).toMatch(/^with locked as/);
      expect(next.map((q) => q.sql)).toContain("select seq, hash from audit_entry order by seq desc limit 1");
      // And the head is known again.
      expect(await queriesOf(db(), () => audit.recordFor(ctx(), who, event("a4")))).toHaveLength(1);
      expect(await seqsNow()).toEqual([1, 2, 3, 4, 5]);
      expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 5 });
    });

  if (dialect === "postgres")
    it("PostgreSQL: an append committed after the one statement's snapshot, before its lock: refused by the key, then appended after it", async () => {
      await audit.recordFor(ctx(), who, event("a1"));
      const other = await openDatabase(ctx().database.url);
      try {
        // Another instance appends in a transaction it keeps open: it holds the advisory lock.
        let release!: () => void;
        const held = new Promise<void>((r) => {
          release = r;
        });
        let inserted!: () => void;
        const ready = new Promise<void>((r) => {
          inserted = r;
        });
        const theirs = other.db.transaction().execute(async (trx) => {
          await audit.recordFor({ database: other }, who, event("b1"), { db: trx });
          inserted();
          await held;
        });
        await ready;
        const statements = await queriesOf(db(), async () => {
          // Ours starts now (its snapshot does not see their uncommitted entry 2) and waits for the lock.
          const mine = audit.recordFor(ctx(), who, event("a2"));
          // Advisory locks waited for in this test's database (the run's other files have their own in the same cluster).
          const waiting = async () =>
            (await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`.execute(other.db)).rows[0].n;
          for (let i = 0; i < 200 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 10));
          expect(await waiting()).toBe(1);
          release();
          await theirs;
          // Their entry 2 is committed; ours was chained on 1 in a snapshot that still shows 1 as the
          // head: the primary key refuses seq 2, and the full path appends ours as 3.
          await mine;
        });
        // (The watch on pg_locks above goes through the same patched executor: left out.)
        const ours = statements.map((q) => q.sql).filter((q) => !q.includes("pg_locks"));
        expect(ours[0]).toMatch(/^with locked as/);
        expect(ours).toContain("select seq, hash from audit_entry order by seq desc limit 1");
      } finally {
        await other.close();
      }
      expect((await db().selectFrom("audit_entry").select(["seq", "resource_id"]).orderBy("seq").execute()).map((r) => [Number(r.seq), r.resource_id])).toEqual([
        [1, "a1"],
        [2, "b1"],
        [3, "a2"],
      ]);
      expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 3 });
    });

  // Decision 0085: inside a transaction, a later append chains on the head the transaction's last append left,
  // in one statement (lock, head check, insert); the first append of a transaction reads the head.
  if (dialect === "postgres")
    it("PostgreSQL: a transaction's later appends are one statement each; one chain, and none of it after a rollback", async () => {
      await audit.recordFor(ctx(), who, event("before"));
      const inside: string[][] = [];
      await db()
        .transaction()
        .execute(async (trx) => {
          for (const id of ["t1", "t2", "t3"]) inside.push((await queriesOf(db(), () => audit.recordFor(ctx(), who, event(id), { db: trx }))).map((q) => q.sql));
        });
      expect(inside[0]).toContain("select seq, hash from audit_entry order by seq desc limit 1");
      expect(inside[1]).toHaveLength(1);
      expect(inside[1][0]).toMatch(/^with locked as \(select pg_advisory_xact_lock/);
      expect(inside[2]).toHaveLength(1);
      // A transaction rolled back after appends leaves nothing, and the next one reads the head again.
      await db()
        .transaction()
        .execute(async (trx) => {
          await audit.recordFor(ctx(), who, event("gone-1"), { db: trx });
          await audit.recordFor(ctx(), who, event("gone-2"), { db: trx });
          throw new Error("roll back");
        })
        .catch(() => {});
      await db()
        .transaction()
        .execute(async (trx) => {
          await audit.recordFor(ctx(), who, event("t4"), { db: trx });
          await audit.recordFor(ctx(), who, event("t5"), { db: trx });
        });
      const rows = await db().selectFrom("audit_entry").select(["seq", "resource_id"]).orderBy("seq").execute();
      expect(rows.map((r) => [Number(r.seq), r.resource_id])).toEqual([[1, "before"], [2, "t1"], [3, "t2"], [4, "t3"], [5, "t4"], [6, "t5"]]);
      expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 6 });
    });

  if (dialect === "postgres")
    it("PostgreSQL: entries undone by a rollback to a savepoint: the transaction's next append finds the head again", async () => {
      await audit.recordFor(ctx(), who, event("before"));
      let after: string[] = [];
      await db()
        .transaction()
        .execute(async (trx) => {
          await audit.recordFor(ctx(), who, event("kept"), { db: trx });
          await sql`savepoint undo`.execute(trx);
          await audit.recordFor(ctx(), who, event("undone"), { db: trx });
          await sql`rollback to savepoint undo`.execute(trx);
          // The head this transaction knows (the undone entry) is no longer the chain's: the one statement inserts
          // nothing and the full path reads the head.
          after = (await queriesOf(db(), () => audit.recordFor(ctx(), who, event("next"), { db: trx }))).map((q) => q.sql);
        });
      expect(after[0]).toMatch(/^with locked as/);
      expect(after).toContain("select seq, hash from audit_entry order by seq desc limit 1");
      const rows = await db().selectFrom("audit_entry").select(["seq", "resource_id"]).orderBy("seq").execute();
      expect(rows.map((r) => [Number(r.seq), r.resource_id])).toEqual([[1, "before"], [2, "kept"], [3, "next"]]);
      expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 3 });
    });

  it("verifies a chain of 100,000 entries", async () => {
    const n = 100_000;
    let prev = GENESIS_HASH;
    const rows = [];
    for (let seq = 1; seq <= n; seq++) {
      const e = { seq, at: new Date(1_700_000_000_000 + seq).toISOString(), actor_id: `user-${seq % 50}`, actor_role: "chair", livc_id: "livc-1", action: "personal_data.read", resource_type: "person", resource_id: `p-${seq}`, outcome: "allowed" as const, client_address: "10.0.0.1", correlation_id: `c-${seq}`, prev_hash: prev };
      const hash = entryHash(e);
      rows.push({ ...e, hash });
      prev = hash;
    }
    for (let i = 0; i < rows.length; i += 1000) await db().insertInto("audit_entry").values(rows.slice(i, i + 1000)).execute();
    const started = performance.now();
    const result = await verifyAuditChain(ctx().database);
    const perSecond = n / ((performance.now() - started) / 1000);
    console.log(`[${dialect}] audit verify: ${n} entries at ${Math.round(perSecond)} entries/s`);
    expect(result).toMatchObject({ ok: true, entries: n });
    // The speed target (200k/s) is measured by `npm run bench` (docs/BENCHMARKS.md), not asserted here:
    // a timed test fails on a busy machine for no fault of the code.
  }, 120_000);

  it("schakel audit verify: exit 0 when intact, 1 naming the first broken entry", async () => {
    await fill(3);
    const run = () =>
      spawnSync(process.execPath, ["bin/schakel.js", "audit", "verify"], { cwd: ROOT, env: { ...process.env, NODE_ENV: "test", DATABASE_URL: ctx().database.url }, encoding: "utf8" });
    const ok = run();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("intact: 3 entries");
    await db().updateTable("audit_entry").set({ action: "changed" }).where("seq", "=", 2).execute();
    const broken = run();
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("entry 2");
  }, 60_000);
});

describeEachDialect("audit export of a period", (ctx) => {
  it("gives exactly the period's entries in seq order, also one whose time is out of order, in batches", async () => {
    const { auditEntriesBetween } = await import("./queries");
    const db = ctx().database.db;
    await db.deleteFrom("audit_entry").execute();
    const who = { userId: "u-x" };
    for (let i = 0; i < 12; i++) await audit.recordFor(ctx(), who, { action: "test.period", resourceType: "thing", resourceId: `p-${i}`, outcome: "allowed" });
    // Times: p-0..p-3 in January, p-4..p-9 in February (p-7 written with a March time), p-10..p-11 in March.
    const at = (i: number) => (i < 4 ? `2026-01-1${i}T10:00:00.000Z` : i < 10 && i !== 7 ? `2026-02-1${i - 4}T10:00:00.000Z` : `2026-03-0${i === 7 ? 1 : i - 8}T10:00:00.000Z`);
    for (let i = 0; i < 12; i++) await db.updateTable("audit_entry").set({ at: at(i) }).where("resource_id", "=", `p-${i}`).execute();
    // One entry whose time is before its neighbours' (a clock set back): p-11 carries a February time.
    await db.updateTable("audit_entry").set({ at: "2026-02-20T00:00:00.000Z" }).where("resource_id", "=", "p-11").execute();
    const ids = async (from: string, to: string, batch: number) => {
      const out: string[] = [];
      for await (const rows of auditEntriesBetween(ctx(), from, to, batch)) out.push(...rows.map((r) => r.resource_id as string));
      return out;
    };
    const february = ["p-4", "p-5", "p-6", "p-8", "p-9", "p-11"];
    expect(await ids("2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", 2)).toEqual(february);
    expect(await ids("2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", 5000)).toEqual(february);
    expect(await ids("2026-01-01T00:00:00.000Z", "2026-01-12T00:00:00.000Z", 1)).toEqual(["p-0", "p-1"]);
    expect(await ids("2025-01-01T00:00:00.000Z", "2025-12-31T00:00:00.000Z", 3)).toEqual([]);
  });
});
