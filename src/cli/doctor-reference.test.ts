import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REFERENCE_DIR, readReferenceData } from "../modules/reference/importer";
import { generateKeyText } from "../platform/crypto/master-key";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-doctor-ref-"));
const db = path.join(dir, "x.db");
const key = generateKeyText();
const cli = (...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "test", DATABASE_URL: `sqlite:${db}`, SCHAKEL_MASTER_KEY: key, LOG_LEVEL: "silent" };
  delete env.SCHAKEL_KEY_FILE;
  return spawnSync(process.execPath, [path.join(ROOT, "bin/schakel.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env });
};
const referenceLine = () => {
  const r = cli("doctor");
  return { status: r.status, line: r.stdout.split("\n").find((l) => l.includes("reference data")) ?? r.stdout };
};

/** `schakel doctor` compares the reference data with this release's files (ops audit s8, 8: it expected exactly 313). */
describe("schakel doctor: reference data", () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const shipped = readReferenceData(DEFAULT_REFERENCE_DIR).municipalities.length;

  it("PROBLEM before the import, ok after it with the files' count, PROBLEM when the database holds another version", () => {
    expect(cli("migrate").status).toBe(0);
    const before = referenceLine();
    expect(before.status).toBe(1);
    expect(before.line).toBe(`PROBLEM  reference data not imported (0 municipality versions in the database, ${shipped} in the files): run "schakel reference import" (serve does it at start)`);

    expect(cli("reference", "import").status).toBe(0);
    const after = referenceLine();
    expect(after.line).toBe(`ok       reference data imported: the release's files (${shipped} municipality versions)`);
    expect(after.status).toBe(0);

    // An import of other files (an older release's) than the ones this release ships.
    const r = spawnSync(process.execPath, ["-e", `const D=require("better-sqlite3");new D(${JSON.stringify(db)}).prepare("update reference_import set content_hash='older' where id='current'").run()`], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const older = referenceLine();
    expect(older.status).toBe(1);
    expect(older.line).toMatch(/^PROBLEM {2}reference data differs from this release's files/);
  });
});
