import fs from "node:fs";
import type { Command } from "commander";
import { type OpenContext as Open, subcommand } from "../../cli/shared";
import { importObstacles, importRegister, RegistryImportError } from "./service";


function readFile(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    console.error(`${file}: file not found or not readable`);
    process.exitCode = 1;
    return null;
  }
}

/** On errors: every error as "line N: reason" on standard error, exit code 1, nothing changed. */
function reportErrors(e: unknown): void {
  if (!(e instanceof RegistryImportError)) throw e;
  for (const line of e.errors) console.error(line);
  console.error(`Nothing was imported (${e.errors.length} ${e.errors.length === 1 ? "error" : "errors"}).`);
  process.exitCode = 1;
}

export function registryCli(program: Command, open: Open) {
  const registry = subcommand(program, "registry", "The LIVC register: LIVCs, the municipalities they cover, obstacles");
  registry
    .command("import")
    .description("Import memberships from CSV (header livc_code,livc_name,nis,joined_on,left_on); all-or-nothing, idempotent")
    .argument("<file>", "UTF-8 CSV, comma or semicolon separated")
    .option("--dry-run", "check the file and say what would change, without changing anything")
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const text = readFile(file);
      if (text === null) return;
      const ctx = await open();
      try {
        const r = await importRegister(ctx.database, { actor: null }, text, { file, dryRun: opts.dryRun });
        const what = `${r.livcsCreated} new LIVCs, ${r.livcsRenamed} renamed, ${r.membershipsAdded} memberships added, ${r.membershipsUpdated} updated, ${r.unchanged} unchanged`;
        console.log(r.dryRun ? `Dry run, nothing changed. The file is valid and would give: ${what}.` : `Imported ${r.rows} rows: ${what}.`);
      } catch (e) {
        reportErrors(e);
      } finally {
        await ctx.close();
      }
    });
  registry
    .command("import-obstacles")
    .description("Import obstacles from CSV (header nis,recorded_on,reason,note); all-or-nothing, idempotent")
    .argument("<file>", "UTF-8 CSV, comma or semicolon separated")
    .action(async (file: string) => {
      const text = readFile(file);
      if (text === null) return;
      const ctx = await open();
      try {
        const r = await importObstacles(ctx.database, { actor: null }, text, { file });
        console.log(`Imported ${r.rows} rows: ${r.added} obstacles added, ${r.unchanged} already recorded.`);
      } catch (e) {
        reportErrors(e);
      } finally {
        await ctx.close();
      }
    });
}
