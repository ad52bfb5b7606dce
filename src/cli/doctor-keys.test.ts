import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeDialects, freshDatabaseUrl, testConfig } from "../../test/support/db";
import { openContext } from "../platform/bootstrap";
import { keyringFor } from "../platform/crypto/keyring";
import { generateKeyText, masterKeyFromBytes } from "../platform/crypto/master-key";

/** `schakel doctor`'s master key lines (decision 0066), through the real CLI. */
const ROOT = path.resolve(import.meta.dirname, "../..");
const idOf = (text: string) => masterKeyFromBytes(Buffer.from(text, "base64")).id;

function doctor(env: Record<string, string>) {
  const clean = { ...process.env };
  delete clean.SCHAKEL_MASTER_KEY;
  delete clean.SCHAKEL_KEY_FILE;
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/schakel.js"), "doctor"], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...clean, NODE_ENV: "test", ...env } });
  return { status: r.status, lines: r.stdout.trim().split("\n"), out: r.stdout + r.stderr };
}

for (const dialect of activeDialects()) {
  describe(`schakel doctor checks the master key [${dialect}]`, () => {
    const right = generateKeyText();
    const wrong = generateKeyText();
    let url: string;
    let dir: string;

    beforeAll(async () => {
      url = await freshDatabaseUrl(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-doctor-"));
      const ctx = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: right }) });
      await keyringFor(ctx);
      await ctx.close();
    }, 60_000);

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("says ok with the configured key's id and the number of data keys it opens", () => {
      const r = doctor({ DATABASE_URL: url, SCHAKEL_MASTER_KEY: right });
      expect(r.status, r.out).toBe(0);
      expect(r.lines).toContain(`ok       master key ${idOf(right)} (SCHAKEL_MASTER_KEY) opens all 2 data keys of this database`);
      expect(r.out).not.toContain(right);
    });

    it("reports PROBLEM naming the variable and both ids for a wrong key, and exits 1", () => {
      const r = doctor({ DATABASE_URL: url, SCHAKEL_MASTER_KEY: wrong });
      expect(r.status).toBe(1);
      expect(r.lines).toContain(
        `PROBLEM  SCHAKEL_MASTER_KEY does not open this database's data keys: 2 of 2 are wrapped by master key ${idOf(right)}, the configured master key is ${idOf(wrong)}. Set the master key this database was made with, or finish "schakel keys rotate".`,
      );
      expect(r.lines.filter((l) => l.startsWith("PROBLEM"))).toHaveLength(1);
      expect(r.out).not.toContain(wrong);
      expect(r.out).not.toContain(right);
    });

    // Reading the key file is the same for both databases: one run (each CLI start costs ~2 s of the test run).
    if (dialect === "sqlite") it("reports PROBLEM for a garbage key file, naming SCHAKEL_KEY_FILE", () => {
      const file = path.join(dir, "garbage.key");
      fs.writeFileSync(file, "garbage\n", { mode: 0o600 });
      const r = doctor({ DATABASE_URL: url, SCHAKEL_KEY_FILE: file });
      expect(r.status).toBe(1);
      expect(r.lines).toContain(`PROBLEM  The key file ${file} (SCHAKEL_KEY_FILE) must hold a base64 key of at least 32 bytes`);
    });

    // Reading the key file is the same for both databases: one run (each CLI start costs ~2 s of the test run).
    if (dialect === "sqlite") it("warns about a key file that group or others may read, with its mode; not about 0600", () => {
      const file = path.join(dir, "right.key");
      fs.writeFileSync(file, `${right}\n`);
      fs.chmodSync(file, 0o644);
      const open = doctor({ DATABASE_URL: url, SCHAKEL_KEY_FILE: file });
      expect(open.status, open.out).toBe(0);
      expect(open.lines).toContain(`warning  the key file ${file} has mode 0644: group or others may read it; make it 0600 or 0400 (chmod 600)`);
      expect(open.lines).toContain(`ok       master key ${idOf(right)} (SCHAKEL_KEY_FILE (${file})) opens all 2 data keys of this database`);
      fs.chmodSync(file, 0o600);
      const closed = doctor({ DATABASE_URL: url, SCHAKEL_KEY_FILE: file });
      expect(closed.status).toBe(0);
      expect(closed.out).not.toMatch(/warning {2}the key file/);
    });

    it("on a database without data keys yet: ok, the first start creates them", async () => {
      const empty = await freshDatabaseUrl(dialect);
      const ctx = await openContext({ config: testConfig(empty, { SCHAKEL_MASTER_KEY: right }) });
      await ctx.close();
      const r = doctor({ DATABASE_URL: empty, SCHAKEL_MASTER_KEY: wrong });
      expect(r.status, r.out).toBe(0);
      expect(r.lines).toContain(`ok       master key ${idOf(wrong)} (SCHAKEL_MASTER_KEY) loaded; the database has no data keys yet (the first start creates them)`);
    });
  });
}
