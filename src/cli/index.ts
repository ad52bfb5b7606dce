import { Command, CommanderError } from "commander";
import { schakelModules } from "../modules";
import { openContext } from "../platform/bootstrap";
import { ConfigError, loadConfig } from "../platform/config";
import { KeyCheckError } from "../platform/crypto/master-key";
import { CsvError } from "../platform/csv";
import { DatabaseUnavailableError, openDatabase } from "../platform/db";
import { migrate, NewerDatabaseError } from "../platform/db/migrate";
import { DemoRefused, isDemo, printAccounts, seedDemo } from "../platform/demo";
import { StartupError, startServer } from "../platform/server";
import { runDoctor } from "./doctor";
import { seedScaleCommand } from "../modules/scale/cli";
import { ScaleSeedError } from "../modules/scale/service";

/** A failure the user can act on: one line, a known exit code, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** What bin/schakel.js hands the program: `started` is called once the server listens (decision 0073: its code cache). */
export interface StartHooks {
  started?: () => void;
}

export function buildProgram(hooks: StartHooks = {}): Command {
  const program = new Command("schakel")
    .description("Schakel: the platform for local integrated security cells (LIVCs).\nDATABASE_URL selects the database: postgres://... or sqlite:PATH (default sqlite:./data/schakel.db).")
    .showHelpAfterError()
    .exitOverride();

  program
    .command("serve")
    .description("Start the web server (migrates and imports reference data first)")
    .option("--demo-if-empty", "load the fictional demo data set when the database is empty (never in production)")
    .action(async (opts: { demoIfEmpty?: boolean }) => {
      const ctx = await openContext();
      if (opts.demoIfEmpty && !ctx.config.production) {
        // seedDemo decides: only into an empty database; a real one (accounts or LIVCs of its own) is served as it is.
        const demo = await seedDemo(ctx).catch((e: unknown) => {
          if (!(e instanceof DemoRefused)) throw e;
          console.log("The database is not empty: no demo data loaded.");
          return null;
        });
        if (demo?.seeded) {
          console.log("Empty database: loaded the demo data set.");
          printAccounts(demo.accounts);
        }
      }
      await startServer(ctx, { demoMode: !ctx.config.production && (await isDemo(ctx)), started: hooks.started });
    });

  program
    .command("migrate")
    .description("Bring the database schema up to date")
    .action(async () => {
      const config = loadConfig();
      const database = await openDatabase(config.databaseUrl, { namedStatements: config.SCHAKEL_PG_NAMED_STATEMENTS === "on", readBatch: config.SCHAKEL_PG_READ_BATCH === "on" });
      try {
        const done = await migrate(database);
        console.log(done.length ? `Applied ${done.length} migrations: ${done.join(", ")}` : "Database schema is up to date.");
      } finally {
        await database.close();
      }
    });

  program
    .command("seed")
    .description("Load data sets")
    .option("--demo", "the fictional demo data set (refused in production)")
    .option("--scale <n>", "a synthetic data set for benchmarks: 1 = 250 LIVCs, 100,000 cases, 2 million audit entries (fractions allowed)")
    .option("--seed <n>", "the random seed of --scale (same seed, same data set)", "1")
    .action(async (opts: { demo?: boolean; scale?: string; seed: string }) => {
      if (opts.scale !== undefined) return seedScaleCommand(Number(opts.scale), Number(opts.seed));
      if (!opts.demo) throw new CliError("Say which data set: --demo or --scale N", 2);
      const ctx = await openContext();
      try {
        if (ctx.config.production) throw new CliError("Demo data is never loaded in production (NODE_ENV=production).", 2);
        const { seeded, accounts } = await seedDemo(ctx).catch((e: unknown) => {
          throw e instanceof DemoRefused ? new CliError(e.message, 2) : e;
        });
        console.log(seeded ? "Loaded the demo data set." : "Demo data was already loaded; nothing changed.");
        printAccounts(accounts);
      } finally {
        await ctx.close();
      }
    });

  program
    .command("doctor")
    .description("Check configuration, database, keys, reference data, mail, single sign-on, daily jobs and backups, and say what is wrong in plain words")
    .option("--backups <dir>", "the folder the nightly backups go to: warn when none is younger than 26 hours (default: SCHAKEL_BACKUP_DIR)")
    .action(async (opts: { backups?: string }) => {
      const ok = await runDoctor({ backups: opts.backups });
      if (!ok) process.exitCode = 1;
    });

  for (const mod of schakelModules()) mod.cli?.(program, () => openContext());
  return program;
}

export async function main(argv: string[], hooks: StartHooks = {}): Promise<number> {
  const program = buildProgram(hooks);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof CliError || e instanceof KeyCheckError || e instanceof NewerDatabaseError) {
      console.error(e.message);
      return e.exitCode;
    }
    if (e instanceof CsvError || e instanceof DatabaseUnavailableError || e instanceof StartupError || e instanceof ScaleSeedError) {
      console.error(e.message);
      return 1;
    }
    console.error(`Unexpected error: ${(e as Error).message}`);
    return 1;
  }
}
