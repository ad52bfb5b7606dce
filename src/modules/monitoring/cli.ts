import fs from "node:fs";
import type { Command } from "commander";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isLocale, translator } from "../../platform/i18n";
import { coverageCsv, coveragePdf } from "./export";
import { cachedMap } from "./map";
import { dashboardData, ReportDateError } from "./service";

type Open = () => Promise<AppContext & { close(): Promise<void> }>;

const subcommand = (program: Command, name: string, description: string) =>
  program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);

export function monitoringCli(program: Command, open: Open) {
  subcommand(program, "report", "Reports")
    .command("coverage")
    .description("LIVC coverage on a date: which municipalities have an LIVC, inter-municipal cooperation, obstacles")
    .requiredOption("--date <date>", "YYYY-MM-DD, on or after 2019-01-01")
    .option("--format <format>", "json, csv or pdf", "json")
    .option("--out <file>", "write to this file instead of standard output")
    .option("--lang <lang>", "language of the PDF: nl, fr or en", "nl")
    .action(async (opts: { date: string; format: string; out?: string; lang: string }) => {
      if (!["json", "csv", "pdf"].includes(opts.format)) {
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
        const d = await dashboardData(ctx.database.db, opts.date);
        let output: string | Buffer;
        if (opts.format === "json") output = `${JSON.stringify(d.report, null, 2)}\n`;
        else if (opts.format === "csv") output = coverageCsv(d);
        else {
          const t = translator(opts.lang);
          const map = cachedMap(ctx.database.db, { ...d.coverage, revision: d.revision, locale: opts.lang }, t, { links: false });
          output = await coveragePdf(d, opts.lang, map.svg);
        }
        await audit.recordFor(ctx, { actor: null }, { action: `monitoring.export.${opts.format}`, resourceType: "coverage_report", resourceId: opts.date, outcome: "success" });
        if (opts.out) {
          fs.writeFileSync(opts.out, output);
          console.error(`Wrote ${opts.out}`);
        } else process.stdout.write(output);
      } catch (e) {
        if (!(e instanceof ReportDateError)) throw e;
        console.error(e.message);
        process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}
