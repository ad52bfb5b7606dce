import { type Dialect, Kysely, type Migration, type MigrationProvider, Migrator, SqliteAdapter, SqliteDialect } from "kysely";
import { allMigrations } from "../../modules/migrations";
import type { Database, DialectName } from "./index";
import type { DB } from "./schema";

/**
 * A migration gets the dialect so it can pick the few types that differ.
 * Names are "YYYYMMDDNN_module_what": globally ordered, unique across modules.
 */
export type SchakelMigration = {
  name: string;
  up(db: Kysely<DB>, dialect: DialectName): Promise<void>;
};

/**
 * The database records a migration this release does not have: a newer release upgraded it (decision
 * 0068). One line for the operator; the CLI exits 2.
 */
export class NewerDatabaseError extends Error {
  readonly exitCode = 2;
  constructor(readonly migration: string) {
    super(
      `This database was upgraded by a newer Schakel (migration ${migration}); run that release, or restore the backup made before the upgrade with this release.`,
    );
  }
}

class ListProvider implements MigrationProvider {
  constructor(
    private readonly list: SchakelMigration[],
    private readonly dialect: DialectName,
  ) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const m of this.list) {
      if (out[m.name]) throw new Error(`Duplicate migration name ${m.name}`);
      // biome-ignore lint/suspicious/noExplicitAny: Kysely's Migration takes an untyped Kysely
      out[m.name] = { up: (db: Kysely<any>) => m.up(db as Kysely<DB>, this.dialect) };
    }
    return out;
  }
}

/** SQLite has transactional DDL; Kysely's adapter says it does not, so its Migrator would not wrap the run. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl() {
    return true;
  }
}

/**
 * The Kysely the Migrator runs on. PostgreSQL: the app's own (Kysely runs all pending migrations in one
 * transaction). SQLite: a second Kysely on the same native connection whose adapter admits transactional
 * DDL, so Kysely runs all pending migrations AND their kysely_migration rows in one transaction there too
 * (ops audit s8, finding 7: a run that fails half-way, or is killed, leaves the schema as it was).
 * Closing it leaves the connection open (the app's Kysely owns it).
 */
// biome-ignore lint/suspicious/noExplicitAny: the Migrator walks tables outside the typed schema
function migrationDb(database: Database): { db: Kysely<any>; done(): Promise<void> } {
  const native = database.native;
  if (database.dialect !== "sqlite" || !native) return { db: database.db, done: async () => {} };
  // Its statements bypass the app's read turns (read-turns.ts): an open one ends before each.
  const prepare = (text: string) => {
    database.turns?.end();
    return native.prepare(text);
  };
  const base = new SqliteDialect({ database: { prepare, close: () => {} } });
  const dialect: Dialect = {
    createAdapter: () => new TransactionalSqliteAdapter(),
    createDriver: () => base.createDriver(),
    createQueryCompiler: () => base.createQueryCompiler(),
    createIntrospector: (db) => base.createIntrospector(db),
  };
  const db = new Kysely<DB>({ dialect });
  return { db, done: () => db.destroy() };
}

const MISSING = /^corrupted migrations: previously executed migration (.+) is missing$/;

/**
 * Applies the pending migrations (all of them, or none: see migrationDb) and returns their names.
 * `list` is for tests; the app passes nothing.
 */
export async function migrate(database: Database, list: SchakelMigration[] = allMigrations()): Promise<string[]> {
  const runner = migrationDb(database);
  try {
    const migrator = new Migrator({
      db: runner.db,
      provider: new ListProvider(list, database.dialect),
      allowUnorderedMigrations: true,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const missing = error instanceof Error ? MISSING.exec(error.message) : null;
      throw missing ? new NewerDatabaseError(missing[1]) : error;
    }
    return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  } finally {
    await runner.done();
  }
}
