import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

const bin = path.resolve(import.meta.dirname, "../../bin/schakel.js");

describe("configuration", () => {
  it("has defaults for development", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.HOST).toBe("127.0.0.1");
    expect(c.databaseUrl).toBe("sqlite:./data/schakel.db");
  });

  it("names the variable and what is expected", () => {
    expect(() => loadConfig({ PORT: "abc" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "abc" })).toThrow(/PORT must be a whole number between 0 and 65535 \(got "abc"\)/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL must start with postgres:\/\/ or sqlite:/);
    expect(() => loadConfig({ SCHAKEL_PG_NAMED_STATEMENTS: "maybe" })).toThrow(/SCHAKEL_PG_NAMED_STATEMENTS/);
    expect(loadConfig({}).SCHAKEL_PG_NAMED_STATEMENTS).toBe("on");
    expect(() => loadConfig({ SCHAKEL_PG_READ_BATCH: "sometimes" })).toThrow(/SCHAKEL_PG_READ_BATCH/);
    expect(loadConfig({}).SCHAKEL_PG_READ_BATCH).toBe("on");
  });

  it("refuses production without a master key or database, or with mail but no public URL for its links", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "sqlite:/tmp/x.db" })).toThrow(/SCHAKEL_MASTER_KEY is required in production/);
    const key = Buffer.alloc(32, 1).toString("base64");
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "sqlite:/tmp/x.db", SCHAKEL_MASTER_KEY: key, SMTP_URL: "smtp://mail.invalid:25" })).toThrow(/^Configuration error: SCHAKEL_PUBLIC_URL is required in production when SMTP_URL is set/);
    expect(loadConfig({ NODE_ENV: "production", DATABASE_URL: "sqlite:/tmp/x.db", SCHAKEL_MASTER_KEY: key, SMTP_URL: "smtp://mail.invalid:25", SCHAKEL_PUBLIC_URL: "https://schakel.gemeente.invalid" }).production).toBe(true);
    // Development keeps its local fallback (http://HOST:PORT).
    expect(loadConfig({ SMTP_URL: "smtp://mail.invalid:25" }).SCHAKEL_PUBLIC_URL).toBeUndefined();
  });

  it("stops the CLI with exit code 2 and one line naming the variable", () => {
    const r = spawnSync(process.execPath, [bin, "doctor"], { env: { ...process.env, PORT: "99999" }, encoding: "utf8" });
    expect(r.stdout + r.stderr).toMatch(/PORT must be a whole number/);
    const serve = spawnSync(process.execPath, [bin, "serve"], { env: { ...process.env, PORT: "-1" }, encoding: "utf8" });
    expect(serve.status).toBe(2);
    expect(serve.stderr.trim().split("\n")).toHaveLength(1);
    expect(serve.stderr).toMatch(/^Configuration error: PORT/);
  });

  it("stops `serve` at start on a bad setting of a module (cases, partners), naming the variable, before anything listens", () => {
    for (const [variable, expected] of [
      ["SCHAKEL_POST_CLOSURE_REVIEW_MONTHS", "must be month numbers separated by commas"],
      ["SCHAKEL_INVITATION_TERM_DAYS", "must be a whole number of days"],
    ]) {
      const r = spawnSync(process.execPath, [bin, "serve"], { env: { ...process.env, DATABASE_URL: "sqlite::memory:", PORT: "0", [variable]: "soon" }, encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`Configuration error: ${variable} ${expected}`);
    }
  });

  it("says in one line when the data folder is not writable or PostgreSQL is unreachable", () => {
    const r = spawnSync(process.execPath, [bin, "migrate"], { env: { ...process.env, DATABASE_URL: "sqlite:/dev/null/sub/x.db" }, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^Cannot write to the data folder \/dev\/null\/sub/);
    const p = spawnSync(process.execPath, [bin, "migrate"], { env: { ...process.env, DATABASE_URL: "postgres://u@127.0.0.1:1/x" }, encoding: "utf8" });
    expect(p.status).toBe(1);
    expect(p.stderr.trim()).toMatch(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(DATABASE_URL\)/);
    expect(p.stderr).not.toMatch(/\n\s+at /);
  });
});
