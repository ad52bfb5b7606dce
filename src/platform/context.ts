import type { Kysely } from "kysely";
import type { Config } from "./config";
import type { Database } from "./db";
import type { DB } from "./db/schema";
import { extend } from "./objects";

/** What every module gets at start: configuration and the database. Built once in bootstrap.ts. */
export interface AppContext {
  config: Config;
  database: Database;
}

/** ctx bound to a transaction, for services that read and write through ctx.database.db (they join it). */
export const bound = (ctx: AppContext, trx: Kysely<DB>): AppContext => extend(ctx, { database: extend(ctx.database, { db: trx }) });
