import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
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

export async function migrate(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new ListProvider(allMigrations(), database.dialect),
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
