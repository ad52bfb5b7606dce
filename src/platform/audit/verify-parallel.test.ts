import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { verifyAuditChain } from ".";
import { entryHash, GENESIS_HASH } from "./chain";
import { HASHED_JSON, PG_BATCH_SUMMARY } from "./verify-parallel";

/** The parallel pass (two halves in workers, SQLite files) must name the same first broken entry as the single pass. */
describeEachDialect("audit verify: parallel halves agree with the single pass", (ctx, dialect) => {
  const db = () => ctx().database.db;
  const N = 301;
  const mid = Math.floor(N / 2);

  // Characters SQLite's json_array may write differently from JSON.stringify (the SQLite halves hash SQLite's
  // JSON and fall back to the canonical form on a mismatch): control characters, quotes, non-ASCII.
  const ODD = 'a\u0001\u001f\t"\\é\u2028😀/';
  async function fill() {
    await db().deleteFrom("audit_entry").execute();
    let prev = GENESIS_HASH;
    const rows = [];
    for (let seq = 1; seq <= N; seq++) {
      const e = { seq, at: new Date(1_700_000_000_000 + seq).toISOString(), actor_id: `u-${seq % 7}`, actor_role: null, livc_id: null, action: "test", resource_type: "thing", resource_id: seq % 10 === 3 ? `${ODD}${seq}` : `t-${seq}`, outcome: "allowed" as const, client_address: null, correlation_id: null, prev_hash: prev };
      prev = entryHash(e);
      rows.push({ ...e, hash: prev });
    }
    for (let i = 0; i < rows.length; i += 100) await db().insertInto("audit_entry").values(rows.slice(i, i + 100)).execute();
  }

  const both = async () => [await verifyAuditChain(ctx().database, 50, { parallelFrom: Number.POSITIVE_INFINITY }), await verifyAuditChain(ctx().database, 50, { parallelFrom: 1 })];
  const changed = (seq: number) => db().updateTable("audit_entry").set({ action: "changed" }).where("seq", "=", seq).execute();
  const deleted = (seq: number) => db().deleteFrom("audit_entry").where("seq", "=", seq).execute();
  const forged = async (seq: number) => {
    const row = await db().selectFrom("audit_entry").selectAll().where("seq", "=", seq).executeTakeFirstOrThrow();
    await db().updateTable("audit_entry").set({ actor_id: "x", hash: entryHash({ ...row, seq, actor_id: "x" }) }).where("seq", "=", seq).execute();
  };

  const cases: [string, () => Promise<unknown>, number | null][] = [
    ["intact", async () => {}, null],
    ["first entry changed", () => changed(1), 1],
    ["entry in the first half changed", () => changed(40), 40],
    ["last entry of the first half changed", () => changed(mid), mid],
    ["first entry of the second half changed", () => changed(mid + 1), mid + 1],
    ["last entry changed", () => changed(N), N],
    ["entry re-hashed (next link breaks)", () => forged(mid), mid + 1],
    ["boundary entry re-hashed", () => forged(mid + 1), mid + 2],
    ["entry deleted at the boundary", () => deleted(mid + 1), mid + 1],
    ["last entry of the first half deleted", () => deleted(mid), mid],
    ["first entry deleted", () => deleted(1), 1],
    ["an entry's link changed, its hash recomputed over it", async () => {
      const row = await db().selectFrom("audit_entry").selectAll().where("seq", "=", 40).executeTakeFirstOrThrow();
      const link = "0".repeat(64);
      await db().updateTable("audit_entry").set({ prev_hash: link, hash: entryHash({ ...row, seq: 40, prev_hash: link }) }).where("seq", "=", 40).execute();
    }, 40],
    ["an entry with odd characters changed", () => changed(43), 43],
    // Inside a later batch of a half (batches of 50: on PostgreSQL these are summed up there, then walked row by row).
    ["an entry re-hashed inside a later batch (next link breaks)", () => forged(120), 121],
    ["an entry re-hashed at a batch's end (the next batch's first link breaks)", () => forged(100), 101],
    ["an entry deleted inside a later batch", () => deleted(120), 120],
    ["an entry with odd characters in a later batch changed", () => changed(133), 133],
    ["two entries swapped", async () => {
      await sql`update audit_entry set seq = 100000 where seq = 10`.execute(db());
      await sql`update audit_entry set seq = 10 where seq = 200`.execute(db());
      await sql`update audit_entry set seq = 200 where seq = 100000`.execute(db());
    }, 10],
  ];

  it("the database writes the hashed text exactly as JSON.stringify does, for every character tried (so the halves rarely fall back)", async () => {
    await fill();
    // Every code point U+0001-U+2FFF (surrogates excluded), astral ones, in pieces of 500, with NULLs around.
    const chars: string[] = [];
    for (let c = 1; c <= 0x2fff; c++) if (c < 0xd800 || c > 0xdfff) chars.push(String.fromCodePoint(c));
    chars.push("😀", "𝄞", "\u{10ffff}");
    const texts = Array.from({ length: Math.ceil(chars.length / 500) }, (_, i) => chars.slice(i * 500, (i + 1) * 500).join(""));
    const expr = HASHED_JSON[ctx().database.dialect];
    for (const text of texts) {
      await db().updateTable("audit_entry").set({ resource_id: text, actor_role: null, correlation_id: `c"${text.slice(0, 20)}` }).where("seq", "=", 7).execute();
      const row = await db().selectFrom("audit_entry").selectAll().where("seq", "=", 7).executeTakeFirstOrThrow();
      const written = (await sql<{ j: string }>`select ${sql.raw(expr)} as j from audit_entry where seq = 7`.execute(db())).rows[0].j;
      const r = row;
      expect(written).toBe(JSON.stringify([Number(r.seq), r.at, r.actor_id, r.actor_role, r.livc_id, r.action, r.resource_type, r.resource_id, r.outcome, r.client_address, r.correlation_id, r.prev_hash]));
    }
  });

  // PostgreSQL only: SQLite's halves hash every row themselves (SQLite has no SHA-256 of its own).
  if (dialect === "postgres")
    it("PostgreSQL sums a batch up itself: an intact batch holds, with its first link and last hash; a changed or unlinked one does not", async () => {
      await fill();
      const rows = await db().selectFrom("audit_entry").select(["seq", "prev_hash", "hash"]).where("seq", ">", 60).where("seq", "<=", 110).orderBy("seq").execute();
      const summary = async () => (await sql.raw<Record<string, unknown>>(PG_BATCH_SUMMARY.replace("$1", "60").replace("$2", String(N)).replace("$3", "50")).execute(db())).rows[0];
      // An intact batch holds (the worker walks none of its rows), with its first link and its last hash.
      expect(await summary()).toEqual({ n: 50, first: 61, last: 110, ok: true, link: rows[0].prev_hash, head: rows[49].hash });
      await changed(90);
      expect(await summary()).toMatchObject({ n: 50, ok: false });
      await fill();
      await forged(90); // its own hash holds, the next entry's link does not
      expect(await summary()).toMatchObject({ n: 50, ok: false });
      await fill();
      await deleted(90); // 50 rows still, but no longer gap-free: the last is one further
      expect(await summary()).toMatchObject({ n: 50, first: 61, last: 111 });
    });

  for (const [name, tamper, brokenAt] of cases) {
    it(name, async () => {
      await fill();
      await tamper();
      const [single, parallel] = await both();
      expect(parallel).toEqual(single);
      expect(single.ok).toBe(brokenAt === null);
      if (brokenAt !== null) expect(single).toMatchObject({ brokenAt });
    });
  }
});
