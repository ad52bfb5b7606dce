import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeEachDialect, freshDatabaseUrl } from "../../../test/support/db";
import { openContext } from "../bootstrap";
import { loadConfig } from "../config";
import { DecryptError, Keyring, keyringFor, normaliseName } from "./keyring";
import { generateKeyText, loadMasterKey, masterKeyFromBytes } from "./master-key";
import { expectSealed } from "../../../test/support/sealed";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const place = { table: "person", column: "full_name", rowId: "row-1" };

describeEachDialect("field encryption", (ctx) => {
  it("round-trips a value and never stores the plaintext", async () => {
    const k = await keyringFor(ctx());
    const c = k.encrypt(place, "Jan Janssens");
    expect(c).toMatch(/^v1:field-1:/);
    expectSealed(c, "Jan Janssens");
    expect(k.decrypt(place, c)).toBe("Jan Janssens");
    // Same value twice: different ciphertexts (random IV).
    expect(k.encrypt(place, "Jan Janssens")).not.toBe(c);
  });

  it("refuses a ciphertext copied to another row, column or table, or altered", async () => {
    const k = await keyringFor(ctx());
    const c = k.encrypt(place, "Jan Janssens");
    expect(() => k.decrypt({ ...place, rowId: "row-2" }, c)).toThrow(DecryptError);
    expect(() => k.decrypt({ ...place, column: "birth_date" }, c)).toThrow(DecryptError);
    expect(() => k.decrypt({ ...place, table: "report" }, c)).toThrow(DecryptError);
    const body = c.split(":")[2];
    const flipped = `${c.slice(0, c.length - body.length)}${body.slice(0, -3)}${body.slice(-3) === "AAA" ? "BAA" : "AAA"}`;
    expect(() => k.decrypt(place, flipped)).toThrow(DecryptError);
  });

  it("blind index: equal for the same person written differently, different otherwise", async () => {
    const k = await keyringFor(ctx());
    expect(normaliseName("  Élise  VAN-den Broeck ")).toBe("elise van den broeck");
    expect(k.blindIndex(["Élise van den Broeck", "2004-03-01"])).toBe(k.blindIndex(["elise VAN DEN broeck", "2004-03-01"]));
    expect(k.blindIndex(["Elise van den Broeck", "2004-03-02"])).not.toBe(k.blindIndex(["Elise van den Broeck", "2004-03-01"]));
    expect(k.blindIndex(["Elise", "2004-03-01"])).not.toContain("Elise");
  });

  it("keeps data keys wrapped: the table holds no raw key and another master key cannot open them", async () => {
    await keyringFor(ctx());
    const rows = await ctx().database.db.selectFrom("data_key").selectAll().execute();
    expect(rows.map((r) => r.purpose).sort()).toEqual(["blind_index", "field"]);
    const other = masterKeyFromBytes(Buffer.from(generateKeyText(), "base64"));
    await expect(Keyring.open(ctx().database, other)).rejects.toThrow(/wrapped by master key/);
  });
});

describe("master key and rotation", () => {
  it("development mode generates a local key file once and says so", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-key-"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const said: string[] = [];
      const config = loadConfig({ NODE_ENV: "development" });
      const a = loadMasterKey(config, (l) => said.push(l));
      expect(said[0]).toMatch(/generated a local master key/);
      expect(fs.statSync(path.join(dir, "data/keys/master.key")).mode & 0o777).toBe(0o600);
      const b = loadMasterKey(config, (l) => said.push(l));
      expect(b.id).toBe(a.id);
    } finally {
      process.chdir(cwd);
    }
  });

  it("production refuses to start without a key", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "sqlite:/tmp/x.db" })).toThrow(/SCHAKEL_MASTER_KEY/);
  });

  it("schakel keys rotate re-wraps the data keys: old values stay readable under the new key only", async () => {
    const url = await freshDatabaseUrl("sqlite");
    const oldKey = generateKeyText();
    const newKey = generateKeyText();
    const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schakel-key-")), "new.key");
    fs.writeFileSync(keyFile, newKey);
    const ctxOld = await openContext({ config: loadConfig({ NODE_ENV: "test", DATABASE_URL: url, SCHAKEL_MASTER_KEY: oldKey }) });
    const sealed = (await keyringFor(ctxOld)).encrypt(place, "Fatima El Amrani");
    await ctxOld.close();

    const env = { ...process.env, NODE_ENV: "test", DATABASE_URL: url, SCHAKEL_MASTER_KEY: oldKey };
    const run = spawnSync(process.execPath, ["bin/schakel.js", "keys", "rotate", "--new-key-file", keyFile], { cwd: ROOT, env, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Re-wrapped 2 data keys/);

    const ctxNew = await openContext({ config: loadConfig({ NODE_ENV: "test", DATABASE_URL: url, SCHAKEL_MASTER_KEY: newKey }) });
    expect((await keyringFor(ctxNew)).decrypt(place, sealed)).toBe("Fatima El Amrani");
    await ctxNew.close();
    const ctxStale = await openContext({ config: loadConfig({ NODE_ENV: "test", DATABASE_URL: url, SCHAKEL_MASTER_KEY: oldKey }) });
    await expect(keyringFor(ctxStale)).rejects.toThrow(/wrapped by master key/);
    await ctxStale.close();
  }, 60_000);
});
