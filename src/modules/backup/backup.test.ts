import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeEachDialect, freshDatabaseUrl, openTestContext, testConfig } from "../../../test/support/db";
import { createUser } from "../../../test/support/auth";
import { audit, verifyAuditChain } from "../../platform/audit";
import { openContext } from "../../platform/bootstrap";
import { loadMasterKey, masterKeyFromBytes } from "../../platform/crypto/master-key";
import { BackupError, createBackup, openBackup, restoreBackup, tableChecksums } from "./service";

const root = path.resolve(import.meta.dirname, "../../..");

describeEachDialect("backup and restore", (ctx, dialect) => {
  const master = () => loadMasterKey(ctx().config, () => {});

  async function fill(n: number) {
    for (let i = 0; i < n; i++) await createUser(ctx(), { displayName: `Persoon ${i} "quote" \u00e9\u00e8 \u{1F600}` });
    for (let i = 0; i < n; i++) await audit.recordFor(ctx(), {}, { action: "test.write", resourceType: "test", resourceId: String(i), outcome: "success" });
  }

  it("round trip: a backup taken during concurrent writes restores identical content and an intact audit chain", async () => {
    await fill(3);
    // Writers keep appending while the snapshot is read; the snapshot must still be consistent.
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing && i < 200) await audit.recordFor(ctx(), {}, { action: "test.concurrent", resourceType: "test", resourceId: String(i++), outcome: "success" });
    })();
    const { bytes, manifest } = await createBackup(ctx().database, master());
    writing = false;
    await writer;
    expect(manifest.tables.find((t) => t.name === "app_user")?.rows).toBeGreaterThanOrEqual(3);

    const target = await openContext({ config: testConfig(await freshDatabaseUrl(dialect)) });
    try {
      const result = await restoreBackup(target.database, openBackup(bytes, master()));
      expect(result.rows).toBe(manifest.tables.reduce((n, t) => n + t.rows, 0));
      const after = await tableChecksums(target.database.db, dialect);
      expect(after.map(({ name, rows, sha256 }) => ({ name, rows, sha256 }))).toEqual(manifest.tables.map(({ name, rows, sha256 }) => ({ name, rows, sha256 })));
      const chain = await verifyAuditChain(target.database);
      expect(chain.ok).toBe(true);
      expect(chain.entries).toBe(manifest.tables.find((t) => t.name === "audit_entry")?.rows);
    } finally {
      await target.close();
    }
  });

  it("refuses a backup made with another master key, with one clear sentence", async () => {
    const { bytes } = await createBackup(ctx().database, master());
    const other = masterKeyFromBytes(randomBytes(32));
    expect(() => openBackup(bytes, other)).toThrow(/another master key .*SCHAKEL_MASTER_KEY/);
  });

  it("refuses a damaged file: a flipped byte in the body or the header, a cut-off file (named as such), another file", async () => {
    const { bytes } = await createBackup(ctx().database, master());
    const body = Buffer.from(bytes);
    body[body.length - 40] ^= 1;
    const header = Buffer.from(bytes);
    const at = header.indexOf("created_at") + 16;
    header[at] = header[at] === 0x31 ? 0x32 : 0x31;
    for (const damaged of [body, header]) {
      expect(() => openBackup(damaged, master())).toThrow(/damaged or was changed/);
    }
    expect(() => openBackup(bytes.subarray(0, bytes.length - 10), master())).toThrow(/incomplete \(it was cut off/);
    expect(() => openBackup(Buffer.from("hello\nworld\n"), master())).toThrow(/not a Schakel backup/);
  });

  it("refuses to overwrite a database in use without force, and replaces it with force", async () => {
    const { bytes, manifest } = await createBackup(ctx().database, master());
    const target = await openContext({ config: testConfig(await freshDatabaseUrl(dialect)) });
    try {
      await createUser(target, {});
      const contents = openBackup(bytes, master());
      await expect(restoreBackup(target.database, contents)).rejects.toThrow(BackupError);
      await expect(restoreBackup(target.database, contents)).rejects.toThrow(/--force/);
      await restoreBackup(target.database, contents, { force: true });
      const after = await tableChecksums(target.database.db, dialect);
      expect(after.map((t) => t.sha256)).toEqual(manifest.tables.map((t) => t.sha256));
    } finally {
      await target.close();
    }
  });
});

describe("schakel backup / restore CLI (SQLite, real processes)", () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(root, "bin/schakel.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", ...env } });

  it("backs up, restores into an empty database, refuses a foreign key, a damaged and a cut-off file in one line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-backup-"));
    const key = randomBytes(32).toString("base64");
    const source = await openTestContext("sqlite", { SCHAKEL_MASTER_KEY: key });
    await createUser(source, {});
    const sourceUrl = source.database.url;
    const before = await tableChecksums(source.database.db, "sqlite");
    await source.close();
    const file = path.join(dir, "b.schakelbackup");

    const b = run(["backup", "--out", file], { DATABASE_URL: sourceUrl, SCHAKEL_MASTER_KEY: key });
    expect(b.stderr).toBe("");
    expect(b.status).toBe(0);
    expect(b.stdout).toMatch(/Backup written to .* encrypted for master key/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const targetUrl = `sqlite:${path.join(dir, "target.db")}`;
    const r = run(["restore", file], { DATABASE_URL: targetUrl, SCHAKEL_MASTER_KEY: key });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/every table's checksum matches/);
    const target = await openContext({ config: testConfig(targetUrl, { SCHAKEL_MASTER_KEY: key }) });
    const after = await tableChecksums(target.database.db, "sqlite");
    const restoredChain = await verifyAuditChain(target.database);
    await target.close();
    // The restore itself appends one audit entry; every other table is identical.
    expect(after.filter((t) => t.name !== "audit_entry")).toEqual(before.filter((t) => t.name !== "audit_entry"));
    expect(restoredChain.ok).toBe(true);

    const again = run(["restore", file], { DATABASE_URL: targetUrl, SCHAKEL_MASTER_KEY: key });
    expect(again.status).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toMatch(/--force/);

    const foreign = run(["restore", file], { DATABASE_URL: `sqlite:${path.join(dir, "other.db")}`, SCHAKEL_MASTER_KEY: randomBytes(32).toString("base64") });
    expect(foreign.status).toBe(1);
    expect(foreign.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^This backup was made with another master key/)]);

    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(path.join(dir, "damaged"), bytes);
    const damaged = run(["restore", path.join(dir, "damaged")], { DATABASE_URL: `sqlite:${path.join(dir, "other2.db")}`, SCHAKEL_MASTER_KEY: key });
    expect(damaged.status).toBe(1);
    expect(damaged.stderr.trim().split("\n")).toEqual([expect.stringMatching(/damaged or was changed/)]);

    // Cut off (a copy that did not finish): named as such, in one line; the target stays empty.
    const whole = fs.readFileSync(file);
    fs.writeFileSync(path.join(dir, "cut"), whole.subarray(0, Math.floor(whole.length / 2)));
    const cut = run(["restore", path.join(dir, "cut")], { DATABASE_URL: `sqlite:${path.join(dir, "other3.db")}`, SCHAKEL_MASTER_KEY: key });
    expect(cut.status).toBe(1);
    expect(cut.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^The backup file is incomplete/)]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
