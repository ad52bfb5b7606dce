import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "bin/schakel.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-demo-guard-"));
const run = (file: string, args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_ENV: "development", DATABASE_URL: `sqlite:${path.join(dir, file)}`, LOG_LEVEL: "silent" } });
const adminsOf = (file: string) => {
  const r = spawnSync(process.execPath, ["-e", `const D=require("better-sqlite3");const db=new D(${JSON.stringify(path.join(dir, file))},{readonly:true});console.log(JSON.stringify(db.prepare("select u.email from platform_role r join app_user u on u.id=r.user_id where r.role='admin' order by u.email").all().map(x=>x.email)))`], { cwd: root, encoding: "utf8" });
  return JSON.parse(r.stdout) as string[];
};

/**
 * The demo data set (its administrator's password is in the public repository) goes only into an EMPTY
 * database (ops audit s8, finding 1): a real database whose service forgot NODE_ENV=production stays as it is.
 */
describe("demo data only into an empty database", () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("`seed --demo` refuses a database with an account of its own (exit 2, one line); nothing is added", () => {
    const made = run("real.db", ["account", "create", "--email", "chef@gemeente.invalid", "--name", "Chef", "--roles", "admin"]);
    expect(made.status, made.stderr).toBe(0);
    const seed = run("real.db", ["seed", "--demo"]);
    expect(seed.status).toBe(2);
    expect(seed.stderr.trim()).toMatch(/^The database is not empty \(it has accounts or LIVCs of its own\): demo data, with its publicly known passwords, is only loaded into an empty database\.$/);
    expect(adminsOf("real.db")).toEqual(["chef@gemeente.invalid"]);
  });

  it("`serve --demo-if-empty` (npm start) serves a database with an account of its own as it is, and says so", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn(process.execPath, [bin, "serve", "--demo-if-empty"], { cwd: root, env: { ...process.env, NODE_ENV: "development", DATABASE_URL: `sqlite:${path.join(dir, "real.db")}`, LOG_LEVEL: "silent", HOST: "127.0.0.1", PORT: String(port) } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      for (let i = 0; i < 200; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toContain("The database is not empty: no demo data loaded.");
      expect(out).not.toContain("Demo accounts");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    expect(adminsOf("real.db")).toEqual(["chef@gemeente.invalid"]);
  }, 30_000);

  it("`seed --demo` loads an empty database once; a second run changes nothing", () => {
    const first = run("empty.db", ["seed", "--demo"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("Loaded the demo data set.");
    expect(adminsOf("empty.db")).toEqual(["admin@demo.schakel.test"]);
    // The CLI's files are for its own account only (umask 077 in bin/schakel.js): the database and its WAL.
    for (const f of ["empty.db", "empty.db-wal"].filter((f) => fs.existsSync(path.join(dir, f)))) expect((fs.statSync(path.join(dir, f)).mode & 0o077).toString(8), f).toBe("0");
    const again = run("empty.db", ["seed", "--demo"]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("Demo data was already loaded; nothing changed.");
  });
});
