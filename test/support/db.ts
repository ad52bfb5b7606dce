import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { openContext } from "../../src/platform/bootstrap";
import { type Config, loadConfig } from "../../src/platform/config";
import type { AppContext } from "../../src/platform/context";
import type { DialectName } from "../../src/platform/db";

export type TestContext = AppContext & { close(): Promise<void> };

export const pgAdminUrl = () => inject("pgAdminUrl");

/** Creates a PostgreSQL database in the run's cluster (`create database NAME [template T]`); returns its URL. */
async function createPgDatabase(name: string, template?: string): Promise<string> {
  const admin = pgAdminUrl();
  if (!admin) throw new Error("PostgreSQL is not available in this run");
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}${template ? ` template ${template}` : ""}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/postgres$/, `/${name}`);
}

/** A new, empty database (nothing migrated): a temp SQLite file, or a new PostgreSQL database. */
export async function freshDatabaseUrl(dialect: DialectName, pgName = `t_${randomBytes(6).toString("hex")}`): Promise<string> {
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-test-"));
    return `sqlite:${path.join(dir, "test.db")}`;
  }
  return createPgDatabase(pgName);
}

export function testConfig(databaseUrl: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: "test", DATABASE_URL: databaseUrl, ...extra });
}

/**
 * A migrated database with the reference data, made once per test process: what every test context starts
 * from. Migrating and importing the reference data anew cost 0.3-0.4 s a PostgreSQL database and ~0.1 s a SQLite
 * one (session 11: 137 and 162 of them in a run). Migrations read no configuration, and `openContext` still runs
 * `migrate` and the reference import on the copy (both find nothing to do), so a test context is what it was.
 * Tests of migrations themselves use `freshDatabaseUrl`, which stays empty.
 */
const templates = new Map<DialectName, Promise<string>>();
function template(dialect: DialectName): Promise<string> {
  let made = templates.get(dialect);
  if (!made) {
    made = (async () => {
      const url = dialect === "sqlite" ? await freshDatabaseUrl("sqlite") : await freshDatabaseUrl("postgres", `tpl_${process.pid}_${randomBytes(3).toString("hex")}`);
      const ctx = await openContext({ config: testConfig(url) });
      await ctx.close(); // PostgreSQL copies a template only while nobody is connected to it
      return url;
    })();
    templates.set(dialect, made);
  }
  return made;
}

/** A new database holding what `template` made: a copied file (SQLite) or `create database ... template` (PostgreSQL). */
async function copyOfTemplate(dialect: DialectName): Promise<string> {
  const from = await template(dialect);
  if (dialect === "sqlite") {
    const source = from.slice("sqlite:".length);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-test-"));
    const target = path.join(dir, "test.db");
    for (const suffix of ["", "-wal"]) if (fs.existsSync(source + suffix)) fs.copyFileSync(source + suffix, target + suffix);
    return `sqlite:${target}`;
  }
  return createPgDatabase(`t_${randomBytes(6).toString("hex")}`, new URL(from).pathname.slice(1));
}

export async function openTestContext(dialect: DialectName, extra: Record<string, string> = {}): Promise<TestContext> {
  const url = await copyOfTemplate(dialect);
  return openContext({ config: testConfig(url, extra) });
}

/** The dialects this run covers: SQLite always, PostgreSQL when the run started a cluster. */
export function activeDialects(): DialectName[] {
  return pgAdminUrl() ? ["sqlite", "postgres"] : ["sqlite"];
}

/**
 * Runs a suite once per database. Every store test uses this, so each query is proven on both.
 * The context is opened once per suite and shared by its tests.
 */
export function describeEachDialect(title: string, body: (ctx: () => TestContext, dialect: DialectName) => void) {
  for (const dialect of activeDialects()) {
    describe(`${title} [${dialect}]`, () => {
      let ctx: TestContext;
      beforeAll(async () => {
        ctx = await openTestContext(dialect);
      }, 60_000);
      afterAll(async () => {
        await ctx?.close();
      });
      body(() => ctx, dialect);
    });
  }
}

/**
 * The queries a piece of work sends through a Kysely instance, compiled, in order: captured at its query
 * executor (every statement, also inside transactions and precompiled ones), restored afterwards.
 */
export async function queriesOf(db: { getExecutor(): unknown }, run: () => Promise<unknown>): Promise<{ sql: string; parameters: readonly unknown[] }[]> {
  type Query = { sql: string; parameters: readonly unknown[] };
  let owner = db.getExecutor() as { executeQuery: (q: Query, ...rest: unknown[]) => unknown };
  while (!Object.hasOwn(owner, "executeQuery")) owner = Object.getPrototypeOf(owner);
  const original = owner.executeQuery;
  const seen: Query[] = [];
  owner.executeQuery = function (this: unknown, q: Query, ...rest: unknown[]) {
    seen.push(q);
    return original.call(this, q, ...rest);
  };
  try {
    await run();
  } finally {
    owner.executeQuery = original;
  }
  return seen;
}

/**
 * SQLite's temporary files (statement and savepoint journals that spilled past 64 KiB, sorters) this process
 * holds open: SQLite unlinks each as soon as it is opened, so it shows in /proc/self/fd as "/var/tmp/etilqs_...
 * (deleted)" until the statement or transaction that needed it ends.
 */
export function sqliteTempFilesOpen(): string[] {
  return fs
    .readdirSync("/proc/self/fd")
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return "";
      }
    })
    .filter((target) => target.includes("etilqs_"));
}
