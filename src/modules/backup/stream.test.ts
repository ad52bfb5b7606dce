import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/support/auth";
import { activeDialects, describeEachDialect, freshDatabaseUrl, testConfig } from "../../../test/support/db";
import { audit } from "../../platform/audit";
import { openContext } from "../../platform/bootstrap";
import { loadMasterKey, masterKeyFromBytes } from "../../platform/crypto/master-key";
import { sealBackup } from "./legacy";
import { BackupError, createBackup, openBackup, openBackupFile, restoreBackup, tableChecksums, writeBackup } from "./service";
import { type AnyDb, PAGE_ROWS, tablePages, userTables } from "./tables";

/** The frames of a format-2 file: [start, end) byte ranges after the two header lines. */
function frames(bytes: Buffer): { head: number; frames: [number, number][] } {
  const head = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
  const out: [number, number][] = [];
  for (let at = head; at < bytes.length; ) {
    const end = at + 4 + bytes.readUInt32BE(at) + 16;
    out.push([at, end]);
    at = end;
  }
  return { head, frames: out };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-stream-backup-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describeEachDialect("streamed backup (format 2)", (ctx, dialect) => {
  const master = () => loadMasterKey(ctx().config, () => {});
  const summary = (xs: { name: string; rows: number; sha256: string }[]) => xs.map(({ name, rows, sha256 }) => ({ name, rows, sha256 }));

  async function fill(n: number) {
    for (let i = 0; i < n; i++) await createUser(ctx(), { displayName: `Persoon ${i} "quote" \u00e9\u00e8 \u{1F600}\nnieuwe regel` });
    for (let i = 0; i < n; i++) await audit.recordFor(ctx(), {}, { action: "test.write", resourceType: "test", resourceId: String(i), outcome: "success" });
  }

  /** A target database in use, and its checksums: a refused restore must leave them as they are. */
  async function target() {
    const t = await openContext({ config: testConfig(await freshDatabaseUrl(dialect)) });
    await createUser(t, { displayName: "Al hier" });
    return { t, before: await tableChecksums(t.database.db, dialect) };
  }

  it("keyset pages read every row of a table once, in key order, for one-, two- and three-column keys", async () => {
    const db = ctx().database.db as AnyDb;
    const tables = await userTables(db, dialect);
    for (const name of ["arrondissement", "municipality", "police_zone_municipality"]) {
      const t = tables.find((x) => x.name === name)!;
      const paged: unknown[] = [];
      let pages = 0;
      for await (const page of tablePages(db, t, 7)) {
        pages++;
        expect(page.length).toBeLessThanOrEqual(7);
        paged.push(...page.map((r) => t.key.map((k) => r[k])));
      }
      let q = db.selectFrom(name).select(t.key);
      for (const k of t.key) q = q.orderBy(k);
      const all = await q.execute();
      expect(all.length).toBeGreaterThan(7);
      expect(paged).toEqual(all.map((r) => t.key.map((k) => r[k])));
      expect(pages).toBe(Math.ceil(all.length / 7));
    }
  });

  it("round trip through a file in many frames: every table restores with identical rows", async () => {
    await fill(4);
    const file = path.join(dir, `${dialect}-round.sbk`);
    const { manifest, bytes } = await writeBackup(ctx().database, master(), file, { frameBytes: 1024 });
    expect(fs.statSync(file).size).toBe(bytes);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    expect(frames(fs.readFileSync(file)).frames.length).toBeGreaterThan(5);
    expect(summary(manifest.tables)).toEqual(summary(await tableChecksums(ctx().database.db, dialect)));

    const fresh = await openContext({ config: testConfig(await freshDatabaseUrl(dialect)) });
    try {
      const source = await openBackupFile(file, master());
      expect(source.format).toBe(2);
      const r = await restoreBackup(fresh.database, source);
      expect(r.rows).toBe(manifest.tables.reduce((n, t) => n + t.rows, 0));
      expect(summary(await tableChecksums(fresh.database.db, dialect))).toEqual(summary(manifest.tables));
      // The digest is not the only check: the rows themselves are the same.
      const rows = (c: typeof fresh) => c.database.db.selectFrom("app_user").selectAll().orderBy("id").execute();
      expect(await rows(fresh)).toEqual(await rows(ctx()));
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it("large rows (advice archives of several MiB) are read in pages bounded by bytes, written and restored, identical", async () => {
    const db = ctx().database.db;
    const at = "2026-11-30T00:00:00.000Z";
    await db.insertInto("awareness_campaign").values({ id: "c-big", name: "Groot", year: 2026, description: "", created_at: at }).execute();
    const zips: string[] = [];
    for (let i = 0; i < 2; i++) {
      await db.insertInto("awareness_job").values({ id: `j-big-${i}`, campaign_id: "c-big", status: "done", done: 1, total: 1, file_path: null, error: null, created_by: null, created_at: at, finished_at: at }).execute();
      const zip = randomBytes(3 << 19).toString("base64"); // 2 MiB of text each, more than a write flush
      zips.push(zip);
      await db.insertInto("awareness_job_archive").values({ job_id: `j-big-${i}`, campaign_id: "c-big", zip, bytes: 3 << 19, created_at: at }).execute();
    }
    const pages: number[] = [];
    const tables = await userTables(db as AnyDb, dialect);
    // With 3 MiB of values a page, one 2 MiB archive a page.
    for await (const page of tablePages(db as AnyDb, tables.find((t) => t.name === "awareness_job_archive")!, PAGE_ROWS, 3 << 20)) pages.push(page.length);
    expect(pages).toEqual([1, 1]);
    const file = path.join(dir, `${dialect}-big.sbk`);
    const { manifest } = await writeBackup(ctx().database, master(), file);
    const fresh = await openContext({ config: testConfig(await freshDatabaseUrl(dialect)) });
    try {
      await restoreBackup(fresh.database, await openBackupFile(file, master()));
      expect(summary(await tableChecksums(fresh.database.db, dialect))).toEqual(summary(manifest.tables));
      const restored = await fresh.database.db.selectFrom("awareness_job_archive").select(["job_id", "zip"]).orderBy("job_id").execute();
      expect(restored.map((r) => r.zip === zips[Number(r.job_id.slice(-1))])).toEqual([true, true]);
    } finally {
      await fresh.close();
      await db.deleteFrom("awareness_job_archive").where("campaign_id", "=", "c-big").execute();
      await db.deleteFrom("awareness_job").where("campaign_id", "=", "c-big").execute();
      await db.deleteFrom("awareness_campaign").where("id", "=", "c-big").execute();
    }
  }, 120_000);

  it("a page holds at most maxBytes of values in any table: the widest row decides the rows a page reads, one query a page", async () => {
    const db = ctx().database.db;
    const at = "2026-11-30T00:00:00.000Z";
    for (let i = 0; i < 30; i++) {
      await db.insertInto("awareness_campaign").values({ id: `c-wide-${String(i).padStart(2, "0")}`, name: `Breed ${i}`, year: 2026, description: "b".repeat(40_000), created_at: at }).execute();
    }
    try {
      const tables = await userTables(db as AnyDb, dialect);
      let queries = 0;
      const counted = (db as AnyDb).withPlugin({
        transformQuery: (args) => {
          queries++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const pageSizes = async (name: string, maxRows: number, maxBytes: number) => {
        queries = 0;
        const sizes: number[] = [];
        for await (const page of tablePages(counted, tables.find((t) => t.name === name)!, maxRows, maxBytes)) sizes.push(page.length);
        return sizes;
      };
      expect((await db.selectFrom("awareness_campaign").select("id").execute()).length).toBe(30);
      // Rows of ~40 kB, 100 kB a page: two rows a page, where 7 rows (the row limit alone) would hold 280 kB.
      expect(await pageSizes("awareness_campaign", 7, 100_000)).toEqual(Array(15).fill(2));
      // A row wider than a page is read alone.
      expect(await pageSizes("awareness_campaign", 7, 10_000)).toEqual(Array(30).fill(1));
      // A table of small rows keeps pages of maxRows, one query each, and one for its widest row.
      const n = (await db.selectFrom("municipality").select("nis").execute()).length;
      const small = await pageSizes("municipality", 100, 100_000);
      expect(small).toEqual([...Array(Math.floor(n / 100)).fill(100), n % 100].filter((k) => k > 0));
      expect(queries).toBe(1 + Math.floor(n / 100) + 1); // the widest row, the full pages, the last (short) one
    } finally {
      await db.deleteFrom("awareness_campaign").where("id", "like", "c-wide-%").execute();
    }
  });

  it("refuses a cut-off file, a flipped byte, swapped frames, a dropped frame and another key, each in one line, and changes nothing", async () => {
    const { bytes } = await createBackup(ctx().database, master(), { frameBytes: 1024 });
    const { head, frames: f } = frames(bytes);
    expect(f.length).toBeGreaterThan(5);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor((f[2][0] + f[2][1]) / 2)] ^= 0x01;
    const swapped = Buffer.concat([bytes.subarray(0, f[1][0]), bytes.subarray(...f[2]), bytes.subarray(...f[1]), bytes.subarray(f[3][0])]);
    const dropped = Buffer.concat([bytes.subarray(0, f[1][0]), bytes.subarray(f[2][0])]);
    const cases: [string, Buffer, RegExp][] = [
      ["cut in a frame", bytes.subarray(0, bytes.length - 100), /^The backup file is incomplete \(it was cut off before its last frame\)/],
      ["cut after a frame", bytes.subarray(0, f[f.length - 2][1]), /^The backup file is incomplete/],
      ["a flipped byte in the middle", flipped, /^The backup file is damaged or was changed/],
      ["frames 1 and 2 swapped", swapped, /^The backup file is damaged or was changed/],
      ["frame 1 dropped", dropped, /^The backup file is damaged or was changed/],
      ["a changed header", Buffer.concat([bytes.subarray(0, head - 3), Buffer.from(" }\n"), bytes.subarray(head)]), /^The backup file is damaged or was changed/],
    ];
    const { t, before } = await target();
    try {
      for (const [what, damaged, message] of cases) {
        const file = path.join(dir, `${dialect}-damaged.sbk`);
        fs.writeFileSync(file, damaged);
        const error = await openBackupFile(file, master()).then((s) => restoreBackup(t.database, s, { force: true })).then(() => null, (e: unknown) => e);
        expect(error, what).toBeInstanceOf(BackupError);
        expect((error as Error).message, what).toMatch(message);
        expect((error as Error).message.split("\n"), what).toHaveLength(1);
        expect(() => openBackup(damaged, master()), what).toThrow(message);
      }
      const file = path.join(dir, `${dialect}-good.sbk`);
      fs.writeFileSync(file, bytes);
      const other = masterKeyFromBytes(randomBytes(32));
      await expect(openBackupFile(file, other)).rejects.toThrow(/^This backup was made with another master key .*SCHAKEL_MASTER_KEY/);
      expect(summary(await tableChecksums(t.database.db, dialect))).toEqual(summary(before));
    } finally {
      await t.close();
    }
  }, 60_000);

  it("a backup that fails half-way leaves no file under the final name and keeps an earlier one intact", async () => {
    const file = path.join(dir, `${dialect}-fail.sbk`);
    const source = await openContext({ config: testConfig(await freshDatabaseUrl(dialect)) });
    try {
      await writeBackup(source.database, master(), file);
      const earlier = fs.readFileSync(file);
      // A table without a primary key cannot be read in pages: it comes last (no references), after the others were written.
      await sql`create table zz_no_key (note text)`.execute(source.database.db);
      await expect(writeBackup(source.database, master(), file, { frameBytes: 1024 })).rejects.toThrow(BackupError);
      await expect(writeBackup(source.database, master(), file, { frameBytes: 1024 })).rejects.toThrow(/^Table zz_no_key has no primary key/);
      expect(fs.readFileSync(file).equals(earlier)).toBe(true);
      expect(fs.existsSync(`${file}.partial`)).toBe(false);
      const fresh = path.join(dir, `${dialect}-fail-fresh.sbk`);
      await expect(writeBackup(source.database, master(), fresh)).rejects.toThrow(/no primary key/);
      expect(fs.readdirSync(dir).filter((n) => n.startsWith(`${dialect}-fail-fresh`))).toEqual([]);
    } finally {
      await source.close();
    }
  }, 60_000);

  it("a format-1 file (as the release before 0067 wrote it) still restores through the file reader, with identical rows", async () => {
    await fill(2);
    const { bytes } = await createBackup(ctx().database, master());
    const contents = openBackup(bytes, master());
    const lines = contents.manifest.tables.flatMap((t, i) => (contents.rows.get(t.name) ?? []).map((v) => JSON.stringify([i, v])));
    const old = sealBackup(contents.manifest, lines, master());
    expect(old.subarray(0, 17).toString()).toBe("SCHAKEL-BACKUP 1\n");
    const file = path.join(dir, `${dialect}-v1.sbk`);
    fs.writeFileSync(file, old);

    const fresh = await openContext({ config: testConfig(await freshDatabaseUrl(dialect)) });
    try {
      const source = await openBackupFile(file, master());
      expect(source.format).toBe(1);
      await restoreBackup(fresh.database, source);
      expect(summary(await tableChecksums(fresh.database.db, dialect))).toEqual(summary(contents.manifest.tables));
    } finally {
      await fresh.close();
    }
    const cut = old.subarray(0, old.length - 5);
    expect(() => openBackup(cut, master())).toThrow(/damaged or was changed/);
  }, 60_000);
});

// The digest does not depend on the order a database returns rows in, nor the format on the dialect: a
// backup made on one database restores on the other (PostgreSQL runs in these tests when a cluster is up).
describe("a backup restores on the other database", () => {
  const pairs = ([["sqlite", "postgres"], ["postgres", "sqlite"]] as const).filter(([a, b]) => activeDialects().includes(a) && activeDialects().includes(b));
  for (const [from, to] of pairs) {
    it(`${from} -> ${to}: every table's rows and digests are the same`, async () => {
      const a = await openContext({ config: testConfig(await freshDatabaseUrl(from)) });
      const b = await openContext({ config: testConfig(await freshDatabaseUrl(to)) });
      try {
        await createUser(a, { displayName: "Zoë \u{1F600} 'x'" });
        await audit.recordFor(a, {}, { action: "test.write", resourceType: "test", resourceId: "1", outcome: "success" });
        const master = loadMasterKey(a.config, () => {});
        const { bytes, manifest } = await createBackup(a.database, master, { frameBytes: 1024 });
        await restoreBackup(b.database, openBackup(bytes, master));
        const summary = (xs: { name: string; rows: number; sha256: string }[]) => xs.map(({ name, rows, sha256 }) => ({ name, rows, sha256 }));
        expect(summary(await tableChecksums(b.database.db, to))).toEqual(summary(manifest.tables));
      } finally {
        await a.close();
        await b.close();
      }
    }, 60_000);
  }
});
