import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../platform/context";
import { awarenessModule } from "./awareness";
import { backupModule } from "./backup";
import { casesModule } from "./cases";
import { homeModule } from "./home";
import { identityModule } from "./identity";
import { intakeModule } from "./intake";
import { meetingsModule } from "./meetings";
import { monitoringModule } from "./monitoring";
import { partnersModule } from "./partners";
import { privacyModule } from "./privacy";
import { referenceModule } from "./reference";
import { registryModule } from "./registry";

/** Demo accounts a seeder created, printed by `npm start` on an empty database. */
export interface DemoAccount {
  role: string;
  login: string;
  password: string;
  note?: string;
}

/**
 * What a vertical module plugs into the shell. Each module lives in src/modules/<name>/ with
 * routes.ts, service.ts, store.ts, schema.ts, policy.ts, views/ and tests beside them.
 */
export interface SchakelModule {
  name: string;
  routes?: (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;
  cli?: (program: Command, open: () => Promise<AppContext & { close(): Promise<void> }>) => void;
  /** Fills demo data on an empty database; runs in list order. */
  seedDemo?: (ctx: AppContext) => Promise<DemoAccount[] | undefined>;
  /**
   * The module's daily work (purges, reminders, expiries), run by the server once a day
   * (platform/daily.ts), each module on its own. Safe to run twice; the result is logged as counts only.
   */
  daily?: (ctx: AppContext, today: string) => Promise<unknown>;
}

let list: readonly SchakelModule[] | undefined;

/**
 * Every module, in order. Built on first use, not when this file is imported: a module that imports the
 * web shell (sendError, ...) reaches this file while it is itself still being imported, and a list built
 * at import time would then hold `undefined` for it (seen in the test runner, whose workers share one
 * module cache).
 */
export function schakelModules(): readonly SchakelModule[] {
  list ??= [homeModule, identityModule, referenceModule, registryModule, partnersModule, monitoringModule, intakeModule, casesModule, meetingsModule, awarenessModule, privacyModule, backupModule];
  const missing = list.findIndex((m) => !m);
  if (missing >= 0) throw new Error(`module ${missing} of src/modules/index.ts is not loaded yet: an import cycle reaches the module list at import time`);
  return list;
}
