import { DEFAULT_REFERENCE_DIR, importReferenceData } from "../modules/reference/service";
import { type Config, loadConfig } from "./config";
import type { AppContext } from "./context";
import { openDatabase } from "./db";
import { migrate } from "./db/migrate";

export interface OpenOptions {
  config?: Config;
  migrate?: boolean;
  referenceDir?: string;
}

/** Opens configuration and database; by default also migrates and imports reference data. */
export async function openContext(options: OpenOptions = {}): Promise<AppContext & { close(): Promise<void> }> {
  const config = options.config ?? loadConfig();
  const database = await openDatabase(config.databaseUrl, { namedStatements: config.SCHAKEL_PG_NAMED_STATEMENTS === "on", readBatch: config.SCHAKEL_PG_READ_BATCH === "on" });
  try {
    if (options.migrate !== false) {
      await migrate(database);
      await importReferenceData(database, options.referenceDir ?? DEFAULT_REFERENCE_DIR);
    }
  } catch (e) {
    await database.close();
    throw e;
  }
  return { config, database, close: () => database.close() };
}
