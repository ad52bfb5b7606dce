import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeDialects, freshDatabaseUrl, testConfig } from "../../../test/support/db";
import { openBackup, sealBackup } from "../../modules/backup/service";
import { openContext } from "../bootstrap";
import { checkDataKeys, Keyring, keyringFor } from "./keyring";
import { generateKeyText, KeyCheckError, masterKeyFromBytes } from "./master-key";

/**
 * Decision 0066: a wrong or unreadable master key stops `serve` (before it listens), `backup` and
 * `restore` with exit code 2 and one line naming the variable and the master key ids, never the key.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(ROOT, "bin/schakel.js");
const idOf = (text: string) => masterKeyFromBytes(Buffer.from(text, "base64")).id;

function run(args: string[], env: Record<string, string>) {
  const clean = { ...process.env };
  delete clean.SCHAKEL_MASTER_KEY;
  delete clean.SCHAKEL_KEY_FILE;
  return spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...clean, NODE_ENV: "test", LOG_LEVEL: "silent", ...env } });
}

async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => srv.once("listening", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

for (const dialect of activeDialects()) {
  describe(`master key checked at start [${dialect}]`, () => {
    const right = generateKeyText();
    const wrong = generateKeyText();
    let url: string;
    let dir: string;

    beforeAll(async () => {
      url = await freshDatabaseUrl(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-keycheck-"));
      // A database in use: its two first data keys are wrapped by the right key.
      const ctx = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: right }) });
      await keyringFor(ctx);
      await ctx.close();
    }, 60_000);

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("serve with a wrong key exits 2 with one line naming the variable and both key ids, and never listens", async () => {
      const port = await freePort();
      const r = run(["serve"], { DATABASE_URL: url, SCHAKEL_MASTER_KEY: wrong, PORT: String(port) });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toEqual([
        `SCHAKEL_MASTER_KEY does not open this database's data keys: 2 of 2 are wrapped by master key ${idOf(right)}, the configured master key is ${idOf(wrong)}. Set the master key this database was made with, or finish "schakel keys rotate".`,
      ]);
      expect(r.stdout).not.toContain("listens");
      expect(r.stdout + r.stderr).not.toContain(wrong);
      expect(r.stdout + r.stderr).not.toContain(right);
      // Nothing was created beside the right keys.
      const ctx = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: right }), migrate: false });
      try {
        expect(await checkDataKeys(ctx.database, masterKeyFromBytes(Buffer.from(right, "base64")))).toBe(2);
      } finally {
        await ctx.close();
      }
    });

    // Reading the key file is the same for both databases: one run (each CLI start costs ~2 s of the test run).
    if (dialect === "sqlite") it("serve names SCHAKEL_KEY_FILE for a wrong key file, a garbage file, a text file and a missing file", () => {
      const wrongFile = path.join(dir, "wrong.key");
      fs.writeFileSync(wrongFile, `${wrong}\n`, { mode: 0o600 });
      const garbage = path.join(dir, "garbage.key");
      fs.writeFileSync(garbage, "garbage\n", { mode: 0o600 });
      const text = path.join(dir, "text.key");
      fs.writeFileSync(text, "this is not a key; it is a sentence that is long enough to be one\n", { mode: 0o600 });
      const cases: [string, RegExp][] = [
        [wrongFile, new RegExp(`^SCHAKEL_KEY_FILE \\(${wrongFile}\\) does not open this database's data keys: 2 of 2 are wrapped by master key ${idOf(right)}, the configured master key is ${idOf(wrong)}\\.`)],
        [garbage, new RegExp(`^The key file ${garbage} \\(SCHAKEL_KEY_FILE\\) must hold a base64 key of at least 32 bytes$`)],
        [text, new RegExp(`^The key file ${text} \\(SCHAKEL_KEY_FILE\\) must hold a base64 key of at least 32 bytes \\(it holds other characters\\)$`)],
        [path.join(dir, "missing.key"), new RegExp(`^Cannot read the key file ${path.join(dir, "missing.key")} \\(SCHAKEL_KEY_FILE\\): ENOENT$`)],
      ];
      for (const [file, message] of cases) {
        const r = run(["serve"], { DATABASE_URL: url, SCHAKEL_KEY_FILE: file, PORT: "0" });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(message);
        expect(r.stdout).not.toContain("listens");
      }
    });

    // Reading the key file is the same for both databases: one run (each CLI start costs ~2 s of the test run).
    if (dialect === "sqlite") it("serve with the right key starts and is ready", async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [bin, "serve"], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: url, SCHAKEL_MASTER_KEY: right, PORT: String(port) },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      const exited = new Promise<number | null>((r) => child.once("exit", r));
      try {
        await expect.poll(() => out, { timeout: 30_000, interval: 100 }).toContain("Schakel listens on");
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
    });

    it("backup with a wrong key refuses in one line and writes no file; with the right key it writes one", () => {
      const out = path.join(dir, "wrong.schakelbackup");
      const r = run(["backup", "--out", out], { DATABASE_URL: url, SCHAKEL_MASTER_KEY: wrong });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^SCHAKEL_MASTER_KEY does not open this database's data keys: .*master key ${idOf(right)}, the configured master key is ${idOf(wrong)}\\.`))]);
      expect(fs.readdirSync(dir).filter((f) => f.includes("schakelbackup"))).toEqual([]);
      const garbage = path.join(dir, "garbage2.key");
      fs.writeFileSync(garbage, "garbage", { mode: 0o600 });
      const g = run(["backup", "--out", out], { DATABASE_URL: url, SCHAKEL_KEY_FILE: garbage });
      expect(g.status).toBe(2);
      expect(g.stderr.trim()).toMatch(/^The key file .* \(SCHAKEL_KEY_FILE\) must hold a base64 key/);
      expect(fs.existsSync(out)).toBe(false);

      const ok = run(["backup", "--out", path.join(dir, "right.schakelbackup")], { DATABASE_URL: url, SCHAKEL_MASTER_KEY: right });
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`encrypted for master key ${idOf(right)}`);
    });

    it("restore refuses a backup whose data keys the configured key does not open (written under the wrong key before 0066)", async () => {
      // A backup as an old Schakel wrote it with a stale key: the file opens with `wrong`, its data keys need `right`.
      const good = path.join(dir, "right.schakelbackup");
      if (!fs.existsSync(good)) expect(run(["backup", "--out", good], { DATABASE_URL: url, SCHAKEL_MASTER_KEY: right }).status).toBe(0);
      const contents = openBackup(fs.readFileSync(good), masterKeyFromBytes(Buffer.from(right, "base64")));
      const lines = contents.manifest.tables.flatMap((t, i) => (contents.rows.get(t.name) ?? []).map((v) => JSON.stringify([i, v])));
      const stale = path.join(dir, "stale.schakelbackup");
      fs.writeFileSync(stale, sealBackup(contents.manifest, lines, masterKeyFromBytes(Buffer.from(wrong, "base64"))));

      const target = await freshDatabaseUrl(dialect);
      const r = run(["restore", stale], { DATABASE_URL: target, SCHAKEL_MASTER_KEY: wrong });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toEqual([
        `SCHAKEL_MASTER_KEY does not open the data keys in this backup: 2 of 2 are wrapped by master key ${idOf(right)}, the configured master key is ${idOf(wrong)}. Set the master key this database was made with, or finish "schakel keys rotate".`,
      ]);
      const ctx = await openContext({ config: testConfig(target, { SCHAKEL_MASTER_KEY: wrong }), migrate: false });
      try {
        const users = await ctx.database.db.selectFrom("app_user").select("id").execute();
        expect(users).toEqual([]);
        expect(await ctx.database.db.selectFrom("data_key").select("id").execute()).toEqual([]);
      } finally {
        await ctx.close();
      }
    });

    it("the key ring refuses a wrong key in process too, with a KeyCheckError that names no key material", async () => {
      const ctx = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: wrong }), migrate: false });
      try {
        const error = await keyringFor(ctx).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(KeyCheckError);
        expect((error as Error).message).toMatch(/^SCHAKEL_MASTER_KEY does not open this database's data keys/);
        await expect(Keyring.open(ctx.database, masterKeyFromBytes(Buffer.from(wrong, "base64")))).rejects.toThrow(KeyCheckError);
        expect(await ctx.database.db.selectFrom("data_key").select("id").execute()).toHaveLength(2);
      } finally {
        await ctx.close();
      }
    });
  });
}
