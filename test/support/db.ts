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

/** A fresh, migrated database with reference data: a temp SQLite file, or a new PostgreSQL database. */
export async function freshDatabaseUrl(dialect: DialectName): Promise<string> {
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-test-"));
    return `sqlite:${path.join(dir, "test.db")}`;
  }
  const admin = pgAdminUrl();
  if (!admin) throw new Error("PostgreSQL is not available in this run");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  return admin.replace(/\/postgres$/, `/${name}`);
}

export function testConfig(databaseUrl: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: "test", DATABASE_URL: databaseUrl, ...extra });
}

export async function openTestContext(dialect: DialectName, extra: Record<string, string> = {}): Promise<TestContext> {
  const url = await freshDatabaseUrl(dialect);
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
