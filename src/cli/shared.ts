import fs from "node:fs";
import type { Command } from "commander";
import type { AppContext } from "../platform/context";
import { isLocale, type Locale } from "../platform/i18n";

/** Opens configuration and database for one CLI command; the command closes it. */
export type OpenContext = () => Promise<AppContext & { close(): Promise<void> }>;

/** A command group (e.g. "report") shared by several modules: created once, reused after. */
export const subcommand = (program: Command, name: string, description: string): Command =>
  program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);

type ReportFormat = "json" | "csv" | "pdf";

/**
 * `schakel report <name> --date D [--format json|csv|pdf] [--out FILE] [--lang L]`: one option set,
 * one validation and one way of writing, for every regional report. `render` builds the output;
 * an error of class `dateError` is the user's (one line, exit 1), anything else is a bug.
 */
export function reportCommand(
  program: Command,
  open: OpenContext,
  spec: {
    name: string;
    description: string;
    dateHelp: string;
    dateError: new (...args: never[]) => Error;
    render: (ctx: AppContext, opts: { date: string; format: ReportFormat; lang: Locale }) => Promise<string | Buffer>;
  },
): void {
  subcommand(program, "report", "Reports")
    .command(spec.name)
    .description(spec.description)
    .requiredOption("--date <date>", spec.dateHelp)
    .option("--format <format>", "json, csv or pdf", "json")
    .option("--out <file>", "write to this file instead of standard output")
    .option("--lang <lang>", "language of the PDF: nl, fr or en", "nl")
    .action(async (opts: { date: string; format: string; out?: string; lang: string }) => {
      if (opts.format !== "json" && opts.format !== "csv" && opts.format !== "pdf") {
        console.error(`--format must be json, csv or pdf (got "${opts.format}")`);
        process.exitCode = 2;
        return;
      }
      if (!isLocale(opts.lang)) {
        console.error(`--lang must be nl, fr or en (got "${opts.lang}")`);
        process.exitCode = 2;
        return;
      }
      const ctx = await open();
      try {
        const output = await spec.render(ctx, { date: opts.date, format: opts.format, lang: opts.lang });
        if (opts.out) {
          fs.writeFileSync(opts.out, output);
          console.error(`Wrote ${opts.out}`);
        } else process.stdout.write(output);
      } catch (e) {
        if (!(e instanceof spec.dateError)) throw e;
        console.error(e.message);
        process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}
