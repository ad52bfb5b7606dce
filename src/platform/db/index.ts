import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, sql } from "kysely";
import type pg from "pg";
import type { DB } from "./schema";
import { batchingPool, ReadBatcher, type Send } from "./read-batch";
import { ReadTurns } from "./read-turns";
import { QueuedSqliteDialect } from "./sqlite-queue";

export type DialectName = "sqlite" | "postgres";

export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  url: string;
  /** SQLite only: the native handle, for bulk read paths that need raw (array) rows (audit verify). */
  native?: SQLite.Database;
  /** SQLite only: the read turns of the connection (read-turns.ts); end the open one before using `native` for anything but reads. */
  turns?: ReadTurns;
  close(): Promise<void>;
}

/** A start-up problem the operator can fix: printed as one line, never a stack trace. */
export class DatabaseUnavailableError extends Error {}

export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, "");
}

// better-sqlite3 (a native addon) stays outside the bundle, and the bundle may not import() such a package
// (decision 0073): it is required.
const requirePackage = createRequire(import.meta.url);

/**
 * Each driver is loaded when a database of its kind is opened, not by every start: an installation uses one of
 * the two, and loading `pg` took ~80 ms of a SQLite start-up (issue 9).
 */
export async function openDatabase(url: string, opts: { namedStatements?: boolean; readBatch?: boolean } = {}): Promise<Database> {
  if (url.startsWith("sqlite:")) return openSqlite(url, requirePackage("better-sqlite3") as typeof SQLite);
  const { default: pgDriver } = await import("pg");
  // PostgreSQL returns int8/numeric as strings; counts are small, so parse them once here.
  pgDriver.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  pgDriver.types.setTypeParser(1700, (v) => Number.parseFloat(v));
  return openPostgres(pgDriver, url, opts.namedStatements ?? true, opts.readBatch ?? true);
}

function openSqlite(url: string, SQLiteDriver: typeof SQLite): Database {
  const file = sqlitePath(url);
  if (file !== ":memory:") {
    const dir = path.dirname(path.resolve(file));
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      throw new DatabaseUnavailableError(
        `Cannot write to the data folder ${dir} (DATABASE_URL=${url}): check that it exists and is writable.`,
      );
    }
  }
  let native: SQLite.Database;
  try {
    native = new SQLiteDriver(file);
    native.pragma("journal_mode = WAL");
    native.pragma("synchronous = NORMAL");
    native.pragma("foreign_keys = ON");
    native.pragma("busy_timeout = 5000");
    // SQLite's lower() only folds A-Z; PostgreSQL's folds every letter. Searches compare lower(name)
    // with a lower-cased term, so "émile" must find "Émile" on both. No index uses lower(): safe to replace.
    native.function("lower", { deterministic: true }, (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v) as string);
  } catch (e) {
    throw new DatabaseUnavailableError(
      `Cannot open the SQLite database ${file} (DATABASE_URL): ${(e as Error).message}`,
    );
  }
  const turns = new ReadTurns(native);
  const db = new Kysely<DB>({ dialect: new QueuedSqliteDialect({ database: withStatementCache(native, turns) }, turns) });
  return {
    db,
    dialect: "sqlite",
    url,
    native,
    turns,
    close: async () => {
      await db.destroy();
    },
  };
}

/** SQLite statements up to this length are prepared once and kept; longer ones are prepared for each run. */
export const KEPT_STATEMENT_MAX_CHARS = 4000;

/**
 * Kysely prepares every query anew; preparing costs about as much as running a small query. The
 * statements of the app's fixed queries are kept (issue 9 profile: ~10% of a report submission).
 * One connection, serialised by Kysely, so a cached statement is never run twice at once.
 */
function withStatementCache(native: SQLite.Database, turns: ReadTurns) {
  const cache = new Map<string, KyselyStatement>();
  const schemaVersion = native.prepare("pragma schema_version").pluck();
  return {
    close: () => {
      turns.end();
      native.close();
    },
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        const prepared = native.prepare(sqlText);
        stmt = inTurns(rowsBuiltInJs(prepared, followsSchema(sqlText) ? () => schemaVersion.get() as number : null), turns, ReadTurns.mayShare(prepared, sqlText));
        // Long texts are one-off bulk statements (multi-row inserts): not worth keeping.
        if (sqlText.length <= KEPT_STATEMENT_MAX_CHARS) {
          if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
          cache.set(sqlText, stmt);
        }
      }
      return stmt;
    },
  };
}

/**
 * Whether a statement's result columns can follow the schema: only through a wildcard (`*`, `t.*`,
 * `returning *`). Named columns keep their names when SQLite re-prepares a statement after a schema
 * change, or the statement fails (a column gone). Any "*" other than count(*)'s counts, so a product
 * or a comment only keeps the check. (Not followed: a column renamed to the same name in another
 * letter case, which no migration of ours does.)
 */
export const followsSchema = (sqlText: string): boolean => sqlText.replace(/\(\s*\*\s*\)/g, "").includes("*");

/** What Kysely's SQLite driver uses of a statement. */
type KyselyStatement = Pick<SQLite.Statement, "reader" | "all" | "run" | "iterate">;

/** A statement run inside the connection's read turn when it may share one, after the turn ended otherwise (read-turns.ts). */
function inTurns(stmt: KyselyStatement, turns: ReadTurns, shares: boolean): KyselyStatement {
  const before = shares ? () => turns.read() : () => turns.end();
  return {
    reader: stmt.reader,
    all(...params: unknown[]) {
      before();
      return stmt.all(...params);
    },
    iterate(...params: unknown[]) {
      before();
      return stmt.iterate(...params);
    },
    run(...params: unknown[]) {
      before();
      return stmt.run(...params);
    },
  } as KyselyStatement;
}

/**
 * Rows of a reading statement are fetched as arrays and made into objects by a function compiled for
 * its columns: better-sqlite3 otherwise builds every row object property by property in C++, which was
 * the larger part of SQLite's time on a case list (issue 9: 50 list rows 110 -> 75 us, a case by id
 * 11.8 -> 6.8 us). Same objects: the same keys in the same order, a repeated name keeps its last value.
 * The columns are read again when the schema changed since (a migration; SQLite re-prepares the
 * statement itself on its next run, so the names are read after it ran). Only a statement with a
 * wildcard can change its columns that way (followsSchema); the others skip the check, which was a
 * statement of its own (`pragma schema_version`, ~5 us with SQLite's file locking) after every read.
 */
function rowsBuiltInJs(stmt: SQLite.Statement, schemaVersion: (() => number) | null): KyselyStatement {
  if (!stmt.reader) return stmt;
  const factory = () => {
    const names = stmt.columns().map((c) => c.name);
    if (names.includes("__proto__")) return null;
    // Keys are JSON string literals of the column names (from our own SQL): nothing else is compiled.
    return new Function("r", `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(", ")}};`) as (row: unknown[]) => object;
  };
  let make = factory();
  if (!make) return stmt;
  let version = schemaVersion?.() ?? 0;
  stmt.raw(true);
  // Named columns (no schemaVersion): the same names for as long as the statement runs at all.
  const stale = () => schemaVersion !== null && schemaVersion() !== version;
  const current = () => {
    if (stale()) {
      version = schemaVersion!();
      make = factory() ?? ((row: unknown[]) => Object.fromEntries(stmt.columns().map((c, i) => [c.name, row[i]])));
    }
    return make!;
  };
  return {
    reader: true,
    all(...params: unknown[]) {
      const rows = stmt.all(...params) as unknown[][];
      const build = current();
      const out = new Array<object>(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = build(rows[i]);
      return out;
    },
    *iterate(...params: unknown[]) {
      // No other statement may run while this one is open: the schema is checked before it starts, and
      // after a change this one run gives SQLite's own objects (the names are known after it ran).
      if (stale()) {
        stmt.raw(false);
        try {
          yield* stmt.iterate(...params) as IterableIterator<object>;
        } finally {
          stmt.raw(true);
        }
        current();
        return;
      }
      const build = make!;
      for (const row of stmt.iterate(...params) as IterableIterator<unknown[]>) yield build(row);
    },
    run: (...params: unknown[]) => stmt.run(...params),
  } as KyselyStatement;
}

async function openPostgres(pgDriver: typeof pg, url: string, namedStatements: boolean, readBatch: boolean): Promise<Database> {
  const pool = new pgDriver.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // Decision 0081: the connections that carry a turn's reads together, in pipeline mode.
  const pipelined = readBatch ? new pgDriver.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000, pipeline: true } as pg.PoolConfig) : undefined;
  for (const p of pipelined ? [pool, pipelined] : [pool]) {
    // A lost server must not crash the process: requests fail with 503 until it is back.
    p.on("error", () => {});
    // A connection that dies while checked out (server stopped mid-request) emits 'error' on its client:
    // without a listener that crashed the whole process. The query fails (503) and pg drops the client.
    p.on("connect", (client) => {
      client.on("error", () => {});
    });
  }
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    await pool.end().catch(() => {});
    await pipelined?.end().catch(() => {});
    const u = new URL(url);
    throw new DatabaseUnavailableError(
      `Cannot reach PostgreSQL at ${u.hostname}:${u.port || 5432} (DATABASE_URL): ${(e as Error).message}`,
    );
  }
  const send: Send = namedStatements ? sendNamed : (client, text, values) => client.query(text, values as unknown[] | undefined);
  const driverPool = pipelined ? batchingPool(pool, new ReadBatcher(pipelined, send, pool), send) : namedStatements ? withNamedStatements(pool) : pool;
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: driverPool }) });
  return {
    db,
    dialect: "postgres",
    url,
    close: async () => {
      await db.destroy();
    },
  };
}

/**
 * node-pg sends every query unnamed, so PostgreSQL parses and plans it anew on each run. The app's fixed
 * queries (with parameters, up to 4,000 characters: not the bulk inserts) are sent as named statements
 * instead: each connection parses one once and then only binds and runs it (issue 9). A schema change
 * through this pool names every statement anew; one made by another process is met by renaming and
 * running again once when PostgreSQL answers "cached plan must not change result type" (outside a
 * transaction; inside one the transaction fails and the caller's retry runs with the new names).
 */
function withNamedStatements(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let w = wrapped.get(client);
      if (!w) {
        w = namedClient(client);
        wrapped.set(client, w);
      }
      return w;
    },
    end: () => pool.end(),
  };
}

const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;
const DDL = /^\s*(alter|create|drop|truncate)\b/i;
let statementGeneration = 0;
// Names of the current generation, by text (a new generation starts an empty map).
let statementNames = { generation: 0, byText: new Map<string, string>() };

function statementName(text: string): string {
  if (statementNames.generation !== statementGeneration) statementNames = { generation: statementGeneration, byText: new Map() };
  let name = statementNames.byText.get(text);
  if (!name) {
    name = `s${statementGeneration}_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (statementNames.byText.size >= 5000) statementNames.byText.clear();
    statementNames.byText.set(text, name);
  }
  return name;
}

/** One statement on a client: a fixed query as a named statement (renamed and run again once after another process's schema change). */
function sendNamed(client: pg.PoolClient, text: string, values?: readonly unknown[]): Promise<unknown> {
  // A schema change through this pool (migrations, tests): later queries are named anew.
  if (DDL.test(text)) statementGeneration += 1;
  if (!values || values.length === 0 || text.length > 4000 || !NAMEABLE.test(text)) return client.query(text, values as unknown[]);
  const run = () => client.query({ name: statementName(text), text, values: values as unknown[] });
  return run().catch((e: { code?: string; message?: string }) => {
    if (e?.code !== "0A000" || !/cached plan must not change result type/.test(e.message ?? "")) throw e;
    statementGeneration += 1;
    return run();
  });
}

function namedClient(client: pg.PoolClient): PostgresPoolClient {
  return {
    query(textOrCursor: unknown, values?: readonly unknown[]) {
      if (typeof textOrCursor !== "string") return (client.query as (a: unknown, b?: unknown) => unknown)(textOrCursor, values);
      return sendNamed(client, textOrCursor, values);
    },
    release: (destroy?: boolean) => client.release(destroy),
  } as PostgresPoolClient;
}

export async function ping(database: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(database.db);
    return true;
  } catch {
    return false;
  }
}

/** A change and its audit entries in one transaction: the caller's (when `db` is one) or a new one. */
export function inTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
