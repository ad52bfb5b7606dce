import type { Config } from "./config";
import type { Database } from "./db";

/** What every module gets at start: configuration and the database. Built once in bootstrap.ts. */
export interface AppContext {
  config: Config;
  database: Database;
}
